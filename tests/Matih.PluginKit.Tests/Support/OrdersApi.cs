using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Matih.PluginKit.Tests.Support;

/// <summary>
/// A real REST/JSON API (Kestrel) on a free 127.0.0.1 port: <c>GET /orders?page=N&amp;per_page=M</c> returns
/// <see cref="Count"/> orders as a JSON array, page by page, the shape the sample connector reads.
/// </summary>
internal sealed class OrdersApi : IAsyncDisposable
{
    public const int Count = 250;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();

    private OrdersApi(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<string> Requests => [.. _requests];

    public string OrdersUrl => new Uri(BaseAddress, "orders").ToString();

    public static async Task<OrdersApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new OrdersApi(app);
        app.MapGet("/orders", (HttpContext context, int? page, int? per_page) =>
        {
            api._requests.Enqueue(context.Request.Path + context.Request.QueryString);
            var size = per_page ?? Count;
            return Results.Json(Enumerable.Range(1, Count).Skip(((page ?? 1) - 1) * size).Take(size).Select(Order));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        api.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static object Order(int id) => new
    {
        order_id = id,
        customer_id = 1000 + (id % 40),
        amount = Math.Round(id * 3.25, 2),
        status = id % 10 == 0 ? "returned" : "delivered",
        ordered_at = new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero).AddHours(id).ToString("O", CultureInfo.InvariantCulture),
    };
}
