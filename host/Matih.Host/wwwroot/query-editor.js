// The Query Editor's additions to BlazorMonaco: completion of catalog, schema, table and column names, and the error
// position of a failed statement as a marker and a highlighted line. Loaded as a module by the page.

const owner = "matih";
const decorations = new Map();
let tables = [];
let registered = false;

const editorOf = (id) => window.blazorMonaco.editor.getEditor(id);

// The names come from the page (the catalog service); the provider is registered once per browser tab.
export function setNames(names) {
    tables = names || [];
    if (!registered) {
        monaco.languages.registerCompletionItemProvider("sql", { triggerCharacters: ["."], provideCompletionItems: complete });
        registered = true;
    }
}

const unique = (items, key) => {
    const seen = new Set();
    return items.filter((item) => (seen.has(key(item)) ? false : seen.add(key(item))));
};

// Aliases in the text: "FROM postgresql.novamart.customers c", "JOIN ... AS o".
function aliases(text) {
    const found = new Map();
    const pattern = /\b([A-Za-z_][\w]*)\.([A-Za-z_][\w]*)\.([A-Za-z_][\w]*)\s+(?:AS\s+)?([A-Za-z_][\w]*)/gi;
    const keywords = new Set(["on", "where", "left", "right", "inner", "outer", "full", "join", "cross", "group", "order", "limit", "using", "union", "natural", "as"]);
    for (const match of text.matchAll(pattern)) {
        const alias = match[4].toLowerCase();
        if (!keywords.has(alias)) {
            found.set(alias, [match[1], match[2], match[3]]);
        }
    }

    return found;
}

function complete(model, position) {
    const line = model.getValueInRange({ startLineNumber: position.lineNumber, startColumn: 1, endLineNumber: position.lineNumber, endColumn: position.column });
    const typed = /([A-Za-z_][\w]*\.)*[\w]*$/.exec(line)[0];
    const parts = typed.split(".");
    const word = parts.pop();
    const range = {
        startLineNumber: position.lineNumber,
        endLineNumber: position.lineNumber,
        startColumn: position.column - word.length,
        endColumn: position.column,
    };
    const kinds = monaco.languages.CompletionItemKind;
    const item = (label, kind, detail, sortText) => ({ label, kind, detail, insertText: label, range, sortText });
    const same = (a, b) => a.toLowerCase() === b.toLowerCase();
    const columnsOf = (table) => table.columns.map((c) => item(c.name, kinds.Field, `${c.type} · ${table.table}`, "0" + c.name));
    let suggestions = [];

    if (parts.length === 0) {
        suggestions = [
            ...unique(tables, (t) => t.catalog).map((t) => item(t.catalog, kinds.Module, "catalog", "1" + t.catalog)),
            ...tables.map((t) => item(`${t.catalog}.${t.schema}.${t.table}`, kinds.Class, `${t.kind} · ${t.columns.length} columns`, "2" + t.table)),
            ...unique(tables.flatMap(columnsOf), (c) => c.label),
        ];
    } else if (parts.length === 1) {
        const [first] = parts;
        const alias = aliases(model.getValue()).get(first.toLowerCase());
        if (alias) {
            const table = tables.find((t) => same(t.catalog, alias[0]) && same(t.schema, alias[1]) && same(t.table, alias[2]));
            suggestions = table ? columnsOf(table) : [];
        } else {
            suggestions = unique(tables.filter((t) => same(t.catalog, first)), (t) => t.schema)
                .map((t) => item(t.schema, kinds.Folder, `schema in ${t.catalog}`, "1" + t.schema));
        }
    } else if (parts.length === 2) {
        suggestions = tables.filter((t) => same(t.catalog, parts[0]) && same(t.schema, parts[1]))
            .map((t) => item(t.table, kinds.Class, `${t.kind} · ${t.columns.length} columns`, "1" + t.table));
    } else if (parts.length === 3) {
        const table = tables.find((t) => same(t.catalog, parts[0]) && same(t.schema, parts[1]) && same(t.table, parts[2]));
        suggestions = table ? columnsOf(table) : [];
    }

    return { suggestions };
}

// Marks where the engine says a statement failed: a squiggle at the word (or the whole line when no column is known)
// with the message on hover, the line highlighted, and scrolled into view.
export function showFault(id, line, column, message) {
    const editor = editorOf(id);
    const model = editor.getModel();
    const lineNumber = Math.min(Math.max(1, line), model.getLineCount());
    let startColumn = model.getLineFirstNonWhitespaceColumn(lineNumber) || 1;
    let endColumn = model.getLineMaxColumn(lineNumber);
    if (column) {
        startColumn = Math.min(column, endColumn);
        const word = model.getWordAtPosition({ lineNumber, column: startColumn });
        endColumn = word ? word.endColumn : Math.min(startColumn + 1, model.getLineMaxColumn(lineNumber));
    }

    monaco.editor.setModelMarkers(model, owner, [{
        severity: monaco.MarkerSeverity.Error,
        message,
        startLineNumber: lineNumber,
        startColumn,
        endLineNumber: lineNumber,
        endColumn,
    }]);
    const old = decorations.get(id) || [];
    decorations.set(id, editor.deltaDecorations(old, [{
        range: new monaco.Range(lineNumber, 1, lineNumber, 1),
        options: { isWholeLine: true, className: "sql-error-line", linesDecorationsClassName: "sql-error-gutter" },
    }]));
    editor.revealLineInCenterIfOutsideViewport(lineNumber);
    editor.setPosition({ lineNumber, column: startColumn });
}

export function clearFault(id) {
    const editor = window.blazorMonaco.editor.getEditor(id, true);
    if (!editor) {
        return;
    }

    monaco.editor.setModelMarkers(editor.getModel(), owner, []);
    decorations.set(id, editor.deltaDecorations(decorations.get(id) || [], []));
}

