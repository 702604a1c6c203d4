using MudBlazor;

namespace Matih.Host.Components.Layout;

/// <summary>The workbench's colours and type.</summary>
public static class MatihTheme
{
    /// <summary>The light theme every page uses.</summary>
    public static MudTheme Light { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#27548a",
            Secondary = "#dda853",
            AppbarBackground = "#183b4e",
            Background = "#f5f6f8",
            DrawerBackground = "#ffffff",
            Success = "#2e7d32",
            Error = "#c62828",
            Warning = "#ed6c02",
            Info = "#0277bd",
        },
        LayoutProperties = new LayoutProperties
        {
            DrawerWidthLeft = "248px",
        },
    };
}
