using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Matih.Plugins.Notifiers.Tests.Support;

/// <summary>A real HTTP server (Kestrel) on a free loopback port that records every POST and answers as told.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, Func<int, (int Status, string Body, TimeSpan Delay)>> _answers = new(StringComparer.Ordinal);

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>The URL of <paramref name="path"/> on this server.</summary>
    public string Url(string path) => new Uri(BaseAddress, path.TrimStart('/')).ToString();

    /// <summary>Makes <paramref name="path"/> answer with what <paramref name="answer"/> says for the n-th request (1-based).</summary>
    public void Answer(string path, Func<int, (int Status, string Body, TimeSpan Delay)> answer) => _answers["/" + path.TrimStart('/')] = answer;

    public IReadOnlyList<ReceivedRequest> To(string path) => Requests.Where(r => r.Path == "/" + path.TrimStart('/')).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "/";
        _requests.Enqueue(new ReceivedRequest(path, context.Request.ContentType, body));
        if (_answers.TryGetValue(path, out var answer))
        {
            var (status, text, delay) = answer(_requests.Count(r => r.Path == path));
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsync(text);
            return;
        }

        await context.Response.WriteAsync("ok");
    }
}

internal sealed record ReceivedRequest(string Path, string? ContentType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
