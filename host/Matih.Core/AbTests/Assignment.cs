using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Matih.Core.AbTests;

/// <summary>
/// Stable assignment of units to variants (<c>customer_id_hash</c>): the unit id and the experiment name are hashed
/// into 10,000 buckets, and the buckets are cut by the traffic percentages in order. A customer always sees the same
/// variant of an experiment, and different experiments split customers independently.
/// </summary>
public static class Assignment
{
    /// <summary>Buckets the traffic is cut into (0.01% resolution).</summary>
    public const int Buckets = 10_000;

    /// <summary>The bucket of <paramref name="unitId"/> in <paramref name="experiment"/>.</summary>
    public static int Bucket(string experiment, string unitId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{experiment}\u001f{unitId}"), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % Buckets);
    }

    /// <summary>The index of the variant <paramref name="unitId"/> falls in, given percentages that sum to 100.</summary>
    public static int Variant(string experiment, string unitId, IReadOnlyList<double> percentages)
    {
        var bucket = Bucket(experiment, unitId);
        var edge = 0.0;
        for (var i = 0; i < percentages.Count; i++)
        {
            edge += percentages[i] * Buckets / 100.0;
            if (bucket < Math.Round(edge))
            {
                return i;
            }
        }

        return percentages.Count - 1;
    }
}
