using System.Text.RegularExpressions;
using System.Xml.Linq;
using Matih.Scripting.Protocol;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace Matih.Scripting.Runner;

/// <summary>
/// Completion and signature help from Roslyn's semantic model of the script (after the REPL's earlier submissions,
/// when in a session): members after a dot, symbols in scope and keywords otherwise, and the overloads of the call
/// the caret is in with the argument it is at. Doc comments come from the assemblies' XML files.
/// </summary>
internal sealed partial class Completions(ScriptCompiler compiler)
{
    private const int MaxItems = 1000;

    private static readonly string[] s_keywords =
    [
        "abstract", "as", "async", "await", "base", "bool", "break", "case", "catch", "char", "checked", "class", "const", "continue", "decimal",
        "default", "delegate", "do", "double", "dynamic", "else", "enum", "false", "finally", "float", "for", "foreach", "from", "if", "in", "int",
        "interface", "is", "let", "lock", "long", "nameof", "new", "null", "object", "orderby", "out", "params", "record", "ref", "return",
        "select", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "using", "var", "void", "when", "where",
        "while", "with", "yield",
    ];

    private static readonly SymbolDisplayFormat s_signature = SymbolDisplayFormat.MinimallyQualifiedFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeRef)
        .WithParameterOptions(SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeDefaultValue
            | SymbolDisplayParameterOptions.IncludeParamsRefOut | SymbolDisplayParameterOptions.IncludeOptionalBrackets);

    /// <summary>Items and signature help at <paramref name="position"/> of <paramref name="code"/>, after <paramref name="previous"/> submissions.</summary>
    public CompletionResult Complete(string code, int position, Script? previous)
    {
        position = Math.Clamp(position, 0, code.Length);
        var script = previous is null
            ? CSharpScript.Create(code, compiler.Options.WithFilePath("console"), typeof(MatihPlatform))
            : previous.ContinueWith(code, compiler.Options.WithFilePath("console"));
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.Single();
        var model = compilation.GetSemanticModel(tree);

        var start = position;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_'))
        {
            start--;
        }

        var prefix = code[start..position];
        var root = tree.GetRoot();
        var token = root.FindToken(Math.Max(0, position - 1));
        var items = InComment(root, position) ? [] : Symbols(model, root, code, start, prefix);
        return new CompletionResult(items, Signatures(model, root, token, position), start);
    }

    private static bool InComment(SyntaxNode root, int position)
    {
        var trivia = root.FindTrivia(Math.Max(0, position - 1));
        return trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia)
            || (root.FindToken(Math.Max(0, position - 1)) is var t && t.IsKind(SyntaxKind.StringLiteralToken) && t.Span.Start < position && position < t.Span.End);
    }

    private static IReadOnlyList<CompletionItem> Symbols(SemanticModel model, SyntaxNode root, string code, int start, string prefix)
    {
        IEnumerable<ISymbol> symbols;
        var member = start > 0 && code[start - 1] == '.';
        if (member)
        {
            var dot = root.FindToken(start - 1);
            var target = dot.Parent switch
            {
                MemberAccessExpressionSyntax access => access.Expression,
                QualifiedNameSyntax qualified => qualified.Left,
                MemberBindingExpressionSyntax binding when binding.Parent?.Parent is ConditionalAccessExpressionSyntax conditional => conditional.Expression,
                _ => null,
            };
            if (target is null)
            {
                return [];
            }

            var bound = model.GetSymbolInfo(target).Symbol;
            symbols = bound switch
            {
                INamespaceSymbol ns => ns.GetMembers().Where(m => m.CanBeReferencedByName && IsAccessible(model, start, m)),
                INamedTypeSymbol type when target is not (IdentifierNameSyntax or MemberAccessExpressionSyntax) || IsTypeName(model, target) =>
                    model.LookupStaticMembers(start, type),
                _ => model.GetTypeInfo(target).Type is { } instance
                    ? model.LookupSymbols(start, instance, includeReducedExtensionMethods: true).Where(s => !s.IsStatic || s is IMethodSymbol { MethodKind: MethodKind.ReducedExtension })
                    : [],
            };
        }
        else
        {
            symbols = model.LookupSymbols(start);
        }

        // Without a word typed, the scope's types and namespaces (thousands) would drown the script's own names.
        var everything = member || prefix.Length > 0;
        var named = symbols
            .Where(s => everything || s is not (INamedTypeSymbol or INamespaceSymbol))
            .Where(s => member || s.ContainingType?.SpecialType != SpecialType.System_Object)
            .Where(s => s.CanBeReferencedByName && !s.IsImplicitlyDeclared && !s.Name.StartsWith('<') && !s.Name.Contains('#', StringComparison.Ordinal))
            .Where(s => prefix.Length == 0 || s.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .Select(g => Item(model, start, g.ToArray()));
        var keywords = member ? [] : s_keywords
            .Where(k => prefix.Length == 0 || k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => new CompletionItem(k, "keyword", null, null));
        return named
            .OrderBy(i => Rank(i.Kind))
            .ThenBy(i => i.Label, StringComparer.OrdinalIgnoreCase)
            .Concat(keywords)
            .Take(MaxItems)
            .ToArray();
    }

    private static bool IsTypeName(SemanticModel model, ExpressionSyntax target) =>
        model.GetSymbolInfo(target).Symbol is INamedTypeSymbol && model.GetTypeInfo(target).Type is null or INamedTypeSymbol
        && model.GetSymbolInfo(target).Symbol is not (ILocalSymbol or IPropertySymbol or IFieldSymbol or IParameterSymbol);

    private static bool IsAccessible(SemanticModel model, int position, ISymbol symbol) =>
        symbol is INamespaceSymbol || model.IsAccessible(position, symbol);

    private static int Rank(string kind) => kind switch
    {
        "local" or "parameter" => 0,
        "property" or "field" or "method" or "event" => 1,
        "namespace" => 3,
        _ => 2,
    };

    private static CompletionItem Item(SemanticModel model, int position, ISymbol[] overloads)
    {
        var first = overloads[0];
        var detail = first.ToMinimalDisplayString(model, position, s_signature);
        if (overloads.Length > 1)
        {
            detail += $" (+{overloads.Length - 1} overload{(overloads.Length == 2 ? "" : "s")})";
        }

        return new CompletionItem(first.Name, KindOf(first), detail, Summary(first));
    }

    private static string KindOf(ISymbol symbol) => symbol switch
    {
        IMethodSymbol => "method",
        IPropertySymbol => "property",
        IFieldSymbol { ContainingType.TypeKind: TypeKind.Enum } => "enum_member",
        IFieldSymbol { ContainingType.IsScriptClass: true } => "local",
        IFieldSymbol => "field",
        IEventSymbol => "event",
        ILocalSymbol => "local",
        IParameterSymbol => "parameter",
        INamespaceSymbol => "namespace",
        INamedTypeSymbol { TypeKind: TypeKind.Interface } => "interface",
        INamedTypeSymbol { TypeKind: TypeKind.Enum } => "enum",
        INamedTypeSymbol { TypeKind: TypeKind.Struct } => "struct",
        INamedTypeSymbol { TypeKind: TypeKind.Delegate } => "delegate",
        INamedTypeSymbol => "class",
        _ => "text",
    };

    private static SignatureHelp? Signatures(SemanticModel model, SyntaxNode root, SyntaxToken token, int position)
    {
        var list = token.Parent?.AncestorsAndSelf().OfType<ArgumentListSyntax>()
            .FirstOrDefault(a => a.OpenParenToken.Span.End <= position && (a.CloseParenToken.IsMissing || position <= a.CloseParenToken.SpanStart));
        if (list is null)
        {
            return null;
        }

        IReadOnlyList<IMethodSymbol> methods;
        ISymbol? chosen;
        switch (list.Parent)
        {
            case InvocationExpressionSyntax invocation:
                methods = model.GetMemberGroup(invocation.Expression).OfType<IMethodSymbol>().ToArray();
                chosen = model.GetSymbolInfo(invocation).Symbol;
                break;
            case BaseObjectCreationExpressionSyntax creation:
                methods = (model.GetTypeInfo(creation).Type as INamedTypeSymbol)?.InstanceConstructors.Where(c => model.IsAccessible(position, c)).ToArray() ?? [];
                chosen = model.GetSymbolInfo(creation).Symbol;
                break;
            default:
                return null;
        }

        if (methods.Count == 0)
        {
            return null;
        }

        var argument = list.Arguments.GetSeparators().Count(s => s.SpanStart < position);
        var signatures = methods.Select(m => new SignatureInfo(
            m.ToMinimalDisplayString(model, position, s_signature),
            Summary(m),
            m.Parameters.Select(p => new ParameterInfo(p.ToMinimalDisplayString(model, position, s_signature), ParameterDoc(m, p.Name))).ToArray())).ToArray();
        var active = chosen is IMethodSymbol c ? methods.ToList().FindIndex(m => SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, c.OriginalDefinition)) : -1;
        if (active < 0)
        {
            active = Math.Max(0, methods.ToList().FindIndex(m => m.Parameters.Length > argument || m.Parameters.LastOrDefault()?.IsParams == true));
        }

        return new SignatureHelp(signatures, active, argument);
    }

    private static string? Summary(ISymbol symbol) => DocPart(symbol, "summary", null);

    private static string? ParameterDoc(IMethodSymbol method, string parameter) => DocPart(method, "param", parameter);

    private static string? DocPart(ISymbol symbol, string element, string? name)
    {
        var xml = (symbol is IMethodSymbol { ReducedFrom: { } original } ? original : symbol).GetDocumentationCommentXml();
        if (string.IsNullOrWhiteSpace(xml))
        {
            return null;
        }

        try
        {
            var part = XElement.Parse(xml).Elements(element).FirstOrDefault(e => name is null || (string?)e.Attribute("name") == name);
            if (part is null)
            {
                return null;
            }

            foreach (var reference in part.Descendants().Where(d => d.Name == "see" || d.Name == "paramref" || d.Name == "typeparamref").ToArray())
            {
                var target = (string?)reference.Attribute("cref") ?? (string?)reference.Attribute("name") ?? (string?)reference.Attribute("langword") ?? "";
                reference.ReplaceWith(ShortCref(target));
            }

            return Spaces().Replace(part.Value, " ").Trim();
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static string ShortCref(string cref)
    {
        // M:Matih.Scripting.MatihPlatform.SqlAsync(System.String,...) reads as SqlAsync.
        var name = cref.Contains(':', StringComparison.Ordinal) ? cref[(cref.IndexOf(':', StringComparison.Ordinal) + 1)..] : cref;
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
        {
            name = name[..paren];
        }

        return name[(name.LastIndexOf('.') + 1)..].Split('`')[0];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
