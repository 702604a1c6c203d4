using System.Net;
using System.Net.Sockets;

namespace Matih.Scripting.Tests.Platform;

/// <summary>A real HTTP listener on a free loopback port, standing in for the host's API.</summary>
internal sealed class LoopbackListener : IDisposable
{
    public LoopbackListener()
    {
        using (var socket = new TcpListener(IPAddress.Loopback, 0))
        {
            socket.Start();
            Address = new Uri($"http://127.0.0.1:{((IPEndPoint)socket.LocalEndpoint).Port}/");
        }

        Listener.Prefixes.Add(Address.ToString());
        Listener.Start();
    }

    /// <summary>The listener the test answers requests on.</summary>
    public HttpListener Listener { get; } = new();

    /// <summary>Its base address.</summary>
    public Uri Address { get; }

    public void Dispose() => Listener.Close();
}
