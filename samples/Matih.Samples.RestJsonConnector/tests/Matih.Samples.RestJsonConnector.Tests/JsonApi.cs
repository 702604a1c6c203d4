using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Matih.Samples.RestJsonConnector.Tests;

/// <summary>A real HTTP server on a free 127.0.0.1 port that answers GETs with whatever the test says.</summary>
internal sealed class JsonApi : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerRequest, (int Status, string Body, string? Link)> _answer;
    private readonly ConcurrentQueue<Uri> _requests = new();
    private readonly Task _loop;

    public JsonApi(Func<HttpListenerRequest, (int Status, string Body, string? Link)> answer)
    {
        _answer = answer;
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }

    public IReadOnlyList<Uri> Requests => [.. _requests];

    public string Url(string pathAndQuery) => new Uri(BaseAddress, pathAndQuery).ToString();

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was stopped under a pending GetContextAsync.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _requests.Enqueue(context.Request.Url!);
            var (status, body, link) = _answer(context.Request);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            if (link is not null)
            {
                context.Response.AddHeader("Link", link);
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
