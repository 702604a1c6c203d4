using System.Text.Json.Nodes;

namespace Matih.Scripting;

/// <summary>Reads every page of a paged list route (<c>{items, total, ...}</c>) into one array.</summary>
internal static class PagedLists
{
    /// <summary>All items of <paramref name="path"/> (which may carry its own query), a page of 500 at a time.</summary>
    public static async Task<JsonArray> GetAllPagesAsync(this ApiClient api, string path)
    {
        var all = new JsonArray();
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var page = 1; ; page++)
        {
            var found = await api.GetAsync($"{path}{separator}page={page}&pageSize=500").ConfigureAwait(false);
            var items = found?["items"]?.AsArray() ?? [];
            var moved = items.ToArray();
            items.Clear();
            foreach (var item in moved)
            {
                all.Add(item);
            }

            if (moved.Length == 0 || all.Count >= (found?["total"]?.GetValue<int>() ?? 0))
            {
                return all;
            }
        }
    }
}
