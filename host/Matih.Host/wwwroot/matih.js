// Small helpers the workbench calls over JS interop.
window.matih = {
    // Set once the Blazor circuit is interactive, so people and browser tests know clicks will be handled.
    markInteractive: () => { document.body.dataset.interactive = "true"; },
};
