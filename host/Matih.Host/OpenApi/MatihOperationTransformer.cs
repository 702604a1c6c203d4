using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Matih.Host.OpenApi;

/// <summary>
/// Each operation: its summary and tag when the route did not give them, the bearer requirement on secured routes,
/// the problem+json answers every route can give, and the seed's documents as examples.
/// </summary>
internal sealed class MatihOperationTransformer : IOpenApiOperationTransformer
{
    private const string ProblemJson = "application/problem+json";

    // The one paging scheme (Api/Paging.cs), described once for every list route.
    private static readonly Dictionary<string, string> s_pagingParameters = new(StringComparer.Ordinal)
    {
        ["page"] = "1-based page number (default 1). A page past the end is empty; total still counts every match.",
        ["pageSize"] = "Items per page, 1 to 500 (default 50); anything else is a 400 naming pageSize.",
        ["sort"] = "The field to sort by; the route's fields are listed in the 400 answer to an unknown one.",
        ["order"] = "asc or desc (default: the field's natural order).",
        ["q"] = "Case-insensitive text to filter by.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var route = (description.RelativePath ?? "").TrimEnd('/');
        var key = $"{description.HttpMethod} {route}";
        var document = context.Document!;
        EnsureProblemSchema(document);

        if (string.IsNullOrEmpty(operation.Summary))
        {
            operation.Summary = RouteSummaries.For(key);
        }

        if (operation.Tags is not { Count: > 0 })
        {
            operation.Tags = new HashSet<OpenApiTagReference> { new(route.StartsWith("health", StringComparison.Ordinal) ? "Health" : "Meta", document) };
        }

        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            if (parameter.In == ParameterLocation.Query && string.IsNullOrEmpty(parameter.Description)
                && s_pagingParameters.TryGetValue(parameter.Name ?? "", out var text))
            {
                parameter.Description = text;
            }
        }

        var metadata = description.ActionDescriptor.EndpointMetadata;
        var secured = OpenApiSetup.RequiresToken(new EndpointMetadataCollection(metadata));
        operation.Responses ??= new OpenApiResponses();
        if (secured)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiSetup.BearerScheme, document)] = [] });
            AddProblem(operation, document, "401", "No token, or an invalid or expired one.");
            AddProblem(operation, document, "403", "The token's role may not use this route.");
        }

        if (description.ParameterDescriptions.Count > 0 || operation.RequestBody is not null || SeedExamples.Requests.ContainsKey(key))
        {
            AddProblem(operation, document, "400", "The request has problems; errors name the field, JSON path or parameter at fault.");
        }

        if (route.Contains('{', StringComparison.Ordinal))
        {
            AddProblem(operation, document, "404", "Nothing has that name or id.");
        }

        AddProblem(operation, document, "default", "Any other error, as problem details.");

        if (SeedExamples.Requests.TryGetValue(key, out var requestFile) && SeedExamples.Read(requestFile) is { } request)
        {
            // Routes that take the seed's documents read the body themselves (to report every problem with its JSON path),
            // so the generator sees no body parameter: describe it here.
            operation.RequestBody ??= new OpenApiRequestBody
            {
                Required = true,
                Description = $"The seed's document (scripts/seed/{requestFile}) is accepted verbatim.",
            };
            if (operation.RequestBody is OpenApiRequestBody body)
            {
                body.Content ??= new Dictionary<string, OpenApiMediaType>();
            }

            var content = operation.RequestBody.Content ?? throw new InvalidOperationException($"{key}: the request body has no content map.");
            if (!content.TryGetValue("application/json", out var media))
            {
                media = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } };
                content["application/json"] = media;
            }

            media.Example = request;
        }

        if (SeedExamples.Responses.TryGetValue(key, out var responseFile) && SeedExamples.Read(responseFile) is { } response)
        {
            var ok = operation.Responses.TryGetValue("200", out var existing) ? existing : null;
            if (ok is OpenApiResponse okResponse)
            {
                okResponse.Content ??= new Dictionary<string, OpenApiMediaType>();
                if (!okResponse.Content.TryGetValue("application/json", out var media))
                {
                    media = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } };
                    okResponse.Content["application/json"] = media;
                }

                media.Example = response;
            }
            else if (ok is null)
            {
                operation.Responses["200"] = new OpenApiResponse
                {
                    Description = "OK",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object }, Example = response },
                    },
                };
            }
        }

        return Task.CompletedTask;
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiDocument document, string status, string description)
    {
        if (operation.Responses!.TryGetValue(status, out var existing))
        {
            // The route declared it (e.g. ProducesProblem); make sure it says problem+json.
            if (existing is OpenApiResponse declared && declared.Content is { Count: 0 } or null)
            {
                declared.Content = ProblemContent(document);
            }

            return;
        }

        operation.Responses[status] = new OpenApiResponse { Description = description, Content = ProblemContent(document) };
    }

    private static Dictionary<string, OpenApiMediaType> ProblemContent(OpenApiDocument document) => new()
    {
        [ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchemaId, document) },
    };

    private const string ProblemSchemaId = "Problem";

    /// <summary>RFC 7807 problem details, with the validation <c>errors</c> map Matih fills (field or JSON path to messages).</summary>
    private static void EnsureProblemSchema(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (document.Components.Schemas.ContainsKey(ProblemSchemaId))
        {
            return;
        }

        document.Components.Schemas[ProblemSchemaId] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 7807 problem details (application/problem+json).",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "What went wrong, for a person." },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "What to do about it." },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Validation problems: field, JSON path or parameter -> messages.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
                ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };
    }
}
