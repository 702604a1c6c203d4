// The Script Console's additions to BlazorMonaco: C# completion and signature help answered by Roslyn (through the
// page's .NET object), and markers for compile and runtime errors at their line and column. Loaded as a module.

const owner = "matih-script";
let helper = null;
let registered = false;

const editorOf = (id) => window.blazorMonaco.editor.getEditor(id);

const kinds = () => {
    const k = monaco.languages.CompletionItemKind;
    return {
        method: k.Method, property: k.Property, field: k.Field, event: k.Event, local: k.Variable, parameter: k.Variable,
        class: k.Class, struct: k.Struct, interface: k.Interface, enum: k.Enum, enum_member: k.EnumMember, namespace: k.Module,
        keyword: k.Keyword, delegate: k.Function,
    };
};

async function ask(model, position) {
    if (!helper) {
        return null;
    }

    try {
        return await helper.invokeMethodAsync("Complete", model.getValue(), model.getOffsetAt(position));
    } catch {
        return null;
    }
}

// The page hands over its .NET object; the providers are registered once per browser tab.
export function attach(dotnet) {
    helper = dotnet;
    if (registered) {
        return;
    }

    registered = true;
    monaco.languages.registerCompletionItemProvider("csharp", {
        triggerCharacters: ["."],
        provideCompletionItems: async (model, position) => {
            const result = await ask(model, position);
            if (!result) {
                return { suggestions: [] };
            }

            const start = model.getPositionAt(result.replaceFrom);
            const range = new monaco.Range(start.lineNumber, start.column, position.lineNumber, position.column);
            const map = kinds();
            return {
                suggestions: result.items.map((item, i) => ({
                    label: item.label,
                    kind: map[item.kind] ?? monaco.languages.CompletionItemKind.Text,
                    detail: item.detail || undefined,
                    documentation: item.documentation || undefined,
                    insertText: item.label,
                    range,
                    sortText: String(i).padStart(5, "0"),
                })),
            };
        },
    });
    monaco.languages.registerSignatureHelpProvider("csharp", {
        signatureHelpTriggerCharacters: ["(", ","],
        signatureHelpRetriggerCharacters: [","],
        provideSignatureHelp: async (model, position) => {
            const result = await ask(model, position);
            const help = result && result.signatures;
            if (!help || help.signatures.length === 0) {
                return null;
            }

            return {
                value: {
                    signatures: help.signatures.map((s) => ({
                        label: s.label,
                        documentation: s.documentation || undefined,
                        parameters: s.parameters.map((p) => ({ label: p.label, documentation: p.documentation || undefined })),
                    })),
                    activeSignature: help.activeSignature,
                    activeParameter: help.activeParameter,
                },
                dispose() {},
            };
        },
    });
}

export function detach() {
    helper = null;
}

// Squiggles at each diagnostic (compile errors and warnings, the runtime error's line), scrolled to the first error.
export function showDiagnostics(id, diagnostics) {
    const editor = editorOf(id);
    if (!editor) {
        return;
    }

    const model = editor.getModel();
    const lines = model.getLineCount();
    const markers = diagnostics.map((d) => {
        const line = Math.min(Math.max(1, d.line), lines);
        const endLine = Math.min(Math.max(line, d.endLine || line), lines);
        let endColumn = d.endColumn || d.column;
        if (endLine === line && endColumn <= d.column) {
            const word = model.getWordAtPosition({ lineNumber: line, column: d.column });
            endColumn = word ? word.endColumn : model.getLineMaxColumn(line);
        }

        return {
            severity: d.severity === "error" ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
            message: `${d.id === "runtime" ? "" : d.id + ": "}${d.message}`,
            startLineNumber: line,
            startColumn: d.column,
            endLineNumber: endLine,
            endColumn,
        };
    });
    monaco.editor.setModelMarkers(model, owner, markers);
    const first = markers.find((m) => m.severity === monaco.MarkerSeverity.Error);
    if (first) {
        editor.revealLineInCenterIfOutsideViewport(first.startLineNumber);
    }
}

export function clearDiagnostics(id) {
    const editor = window.blazorMonaco.editor.getEditor(id, true);
    if (editor) {
        monaco.editor.setModelMarkers(editor.getModel(), owner, []);
    }
}
