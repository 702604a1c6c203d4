// Small helpers the workbench calls over JS interop.
window.matih = {
    // Set once the Blazor circuit is interactive, so people and browser tests know clicks will be handled.
    markInteractive: () => { document.body.dataset.interactive = "true"; },
    // Saves a file the server streams (a DotNetStreamReference) under the given name, e.g. a query's rows as CSV.
    download: async (fileName, streamReference) => {
        const blob = new Blob([await streamReference.arrayBuffer()]);
        const url = URL.createObjectURL(blob);
        const link = document.createElement("a");
        link.href = url;
        link.download = fileName;
        document.body.appendChild(link);
        link.click();
        link.remove();
        URL.revokeObjectURL(url);
    },
};
