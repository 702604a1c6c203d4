using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using Matih.Scripting.Protocol;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Scripting;

namespace Matih.Scripting.Runner;

/// <summary>A compiled script: its entry point in its own collectible load context.</summary>
internal sealed class CompiledScript(string key, AssemblyLoadContext context, Func<object?[], Task<object?>> entry, bool hasValue)
{
    private int _users;

    public string Key { get; } = key;

    public AssemblyLoadContext Context { get; } = context;

    /// <summary>Roslyn's submission factory: slot 0 of the array is the globals object.</summary>
    public Func<object?[], Task<object?>> Entry { get; } = entry;

    /// <summary>True when the script ends with an expression whose value it returns.</summary>
    public bool HasValue { get; } = hasValue;

    public bool Evicted { get; set; }

    public void Enter() => Interlocked.Increment(ref _users);

    public bool Leave() => Interlocked.Decrement(ref _users) == 0;

    public bool InUse => Volatile.Read(ref _users) > 0;
}

/// <summary>
/// Compiles scripts against <see cref="MatihPlatform"/> and caches them by source hash. Each distinct script is emitted
/// (with a portable PDB, so runtime errors name script lines) into its own collectible <see cref="AssemblyLoadContext"/>,
/// unloaded when it leaves the cache: Roslyn's own <c>Script.RunAsync</c> would load every distinct script for good.
/// </summary>
internal sealed class ScriptCompiler
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<CompiledScript>> _cache = new(StringComparer.Ordinal);
    private readonly LinkedList<CompiledScript> _recent = new();
    private readonly List<WeakReference> _unloaded = [];
    private readonly int _capacity;
    private int _compilations;

    public ScriptCompiler(int capacity)
    {
        _capacity = Math.Max(1, capacity);
        Options = CreateOptions();
    }

    /// <summary>References (the shared framework and Matih.Scripting, with its doc comments), imports, debug info.</summary>
    public ScriptOptions Options { get; }

    public int CachedCount
    {
        get
        {
            lock (_gate)
            {
                return _cache.Count;
            }
        }
    }

    public int Compilations => Volatile.Read(ref _compilations);

    /// <summary>Load contexts unloaded but not yet collected (call after a full GC to see leaks).</summary>
    public int LiveUnloadedContexts
    {
        get
        {
            lock (_gate)
            {
                _unloaded.RemoveAll(w => !w.IsAlive);
                return _unloaded.Count;
            }
        }
    }

    /// <summary>The cache key: the code and the name it is compiled under (names appear in line numbers).</summary>
    public static string KeyOf(string code, string name) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name + "\0" + code)));

    /// <summary>True when the script's last statement is an expression without a semicolon: the script has a value.</summary>
    public static bool EndsWithValue(SyntaxTree tree) =>
        tree.GetCompilationUnitRoot().Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } };

    /// <summary>The cached script for <paramref name="code"/>, compiling it when new. The caller must <see cref="Release"/> it.</summary>
    public (CompiledScript? Script, IReadOnlyList<ScriptDiagnostic> Diagnostics, long ElapsedMs, bool Cached) Acquire(string code, string name, CancellationToken cancellationToken)
    {
        var key = KeyOf(code, name);
        lock (_gate)
        {
            if (_cache.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                node.Value.Enter();
                return (node.Value, [], 0, true);
            }
        }

        var watch = Stopwatch.StartNew();
        var script = CSharpScript.Create(code, Options.WithFilePath(name), typeof(MatihPlatform));
        var compilation = script.GetCompilation();
        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var emitted = compilation.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb), cancellationToken: cancellationToken);
        Interlocked.Increment(ref _compilations);
        var diagnostics = Diagnostics.From(emitted.Diagnostics);
        if (!emitted.Success)
        {
            return (null, diagnostics, watch.ElapsedMilliseconds, false);
        }

        pe.Position = 0;
        pdb.Position = 0;
        var context = new AssemblyLoadContext("script-" + key[..12], isCollectible: true);
        var assembly = context.LoadFromStream(pe, pdb);
        var entryPoint = compilation.GetEntryPoint(cancellationToken) ?? throw new InvalidOperationException("The script has no entry point.");
        var type = assembly.GetType(MetadataName(entryPoint.ContainingType), throwOnError: true)!;
        var method = type.GetMethod(entryPoint.MetadataName, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;
        var factory = method.CreateDelegate<Func<object?[], Task<object?>>>();
        var compiled = new CompiledScript(key, context, factory, EndsWithValue(compilation.SyntaxTrees.Single()));
        compiled.Enter();

        lock (_gate)
        {
            _cache[key] = _recent.AddFirst(compiled);
            while (_cache.Count > _capacity && _recent.Last is { } oldest)
            {
                _recent.RemoveLast();
                _cache.Remove(oldest.Value.Key);
                oldest.Value.Evicted = true;
                if (!oldest.Value.InUse)
                {
                    Unload(oldest.Value);
                }
            }
        }

        return (compiled, diagnostics, watch.ElapsedMilliseconds, false);
    }

    /// <summary>Done running <paramref name="script"/>; unloads it if it left the cache meanwhile.</summary>
    public void Release(CompiledScript script)
    {
        if (script.Leave() && script.Evicted)
        {
            lock (_gate)
            {
                Unload(script);
            }
        }
    }

    private static string MetadataName(INamedTypeSymbol type)
    {
        var names = new Stack<string>();
        for (var t = type; t is not null; t = t.ContainingType)
        {
            names.Push(t.MetadataName);
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + string.Join("+", names);
    }

    private void Unload(CompiledScript script)
    {
        script.Context.Unload();
        _unloaded.Add(new WeakReference(script.Context));
    }

    private static ScriptOptions CreateOptions()
    {
        // The shared framework's assemblies (the BCL, for scripts and completion) plus the platform with its doc comments.
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = new List<MetadataReference>();
        foreach (var file in Directory.EnumerateFiles(framework, "*.dll").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if ((name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal)
                    || name is "System" or "mscorlib" or "netstandard")
                && !name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && IsManaged(file))
            {
                references.Add(MetadataReference.CreateFromFile(file));
            }
        }

        var platform = typeof(MatihPlatform).Assembly.Location;
        var docs = Path.ChangeExtension(platform, ".xml");
        references.Add(MetadataReference.CreateFromFile(platform, documentation: XmlDocs.Load(docs)));

        return ScriptOptions.Default
            .WithReferences(references)
            .WithImports(
                "System", "System.Collections.Generic", "System.Globalization", "System.IO", "System.Linq", "System.Net.Http", "System.Text",
                "System.Text.Json", "System.Text.Json.Nodes", "System.Threading", "System.Threading.Tasks", "Matih.Scripting")
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8)
            .WithOptimizationLevel(OptimizationLevel.Debug)
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(Environment.CurrentDirectory))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(Environment.CurrentDirectory));
    }

    private static bool IsManaged(string file)
    {
        try
        {
            AssemblyName.GetAssemblyName(file);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}

/// <summary>Roslyn diagnostics as the console shows them.</summary>
internal static class Diagnostics
{
    public static IReadOnlyList<ScriptDiagnostic> From(IEnumerable<Diagnostic> diagnostics) => diagnostics
        .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
        .OrderByDescending(d => d.Severity)
        .ThenBy(d => d.Location.SourceSpan.Start)
        .Take(100)
        .Select(d =>
        {
            var span = d.Location.GetLineSpan();
            return new ScriptDiagnostic(
                span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, span.EndLinePosition.Line + 1, span.EndLinePosition.Character + 1,
                d.Severity == DiagnosticSeverity.Error ? "error" : "warning", d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        })
        .ToArray();
}

/// <summary>Doc comments of an assembly from its XML file (Roslyn's own XML provider lives in the Workspaces package).</summary>
internal sealed class XmlDocs : DocumentationProvider
{
    private readonly string _path;
    private readonly Dictionary<string, string> _members;

    private XmlDocs(string path, Dictionary<string, string> members) => (_path, _members) = (path, members);

    public static XmlDocs? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var members = System.Xml.Linq.XDocument.Load(path).Descendants("member")
            .Where(m => m.Attribute("name") is not null)
            .GroupBy(m => (string)m.Attribute("name")!)
            .ToDictionary(g => g.Key, g => g.First().ToString(), StringComparer.Ordinal);
        return new XmlDocs(path, members);
    }

    public override bool Equals(object? obj) => obj is XmlDocs other && other._path == _path;

    public override int GetHashCode() => _path.GetHashCode(StringComparison.Ordinal);

    protected override string? GetDocumentationForSymbol(string documentationMemberID, System.Globalization.CultureInfo preferredCulture, CancellationToken cancellationToken = default) =>
        _members.GetValueOrDefault(documentationMemberID);
}
