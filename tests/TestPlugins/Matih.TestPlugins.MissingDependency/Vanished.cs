namespace Matih.TestPlugins.MissingDependency;

public class Vanished
{
}
