// MlOod scoring service: a saved MlOod model behind POST /score, with dynamic batching.
// One command (after the quick start saved its model):
//   dotnet run -c Release --project samples/Service -- --model mlood-quickstart/mnist-ood.zip
// Options: --model ZIP, --gpu ID (build with -p:MlOodGpu=true; without CUDA one log line says so and the CPU runs),
// --mode Batching|Engine, --max-delay-ms MS, --max-batch ROWS, --urls http://HOST:PORT; every setting of
// ServiceOptions also as --Ood:Name=value or in appsettings.json.
//   curl --data-binary @digit.png -H 'Content-Type: image/png' http://localhost:5000/score
//   curl -F a=@one.png -F b=@two.png http://localhost:5000/score
//   curl http://localhost:5000/model
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Ml.Ood.Service;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, ServiceOptions.Switches);
builder.Services.Configure<ServiceOptions>(builder.Configuration.GetSection(ServiceOptions.Section));
builder.Services.AddSingleton<ModelHost>();
builder.Services.AddSingleton<IOodScorer>(services => services.GetRequiredService<ModelHost>().Options.Mode == ScoringMode.Engine
    ? new EngineScorer(services.GetRequiredService<ModelHost>())
    : ActivatorUtilities.CreateInstance<BatchingScorer>(services));
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(json =>
{
    // A score can be NaN (a row no head could score, flagged OOD by the decision): written as "NaN", never a crash.
    json.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
    json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
});
builder.Services.AddOptions<FormOptions>().Configure<IOptions<ServiceOptions>>((form, service) =>
    form.MultipartBodyLengthLimit = service.Value.MaxRequestBytes);

var app = builder.Build();
// Load and check the model now: a bad model or setting stops the service at start, not at the first request.
var host = app.Services.GetRequiredService<ModelHost>();
var scorer = app.Services.GetRequiredService<IOodScorer>();

app.MapGet("/health", () => Results.Ok(new { status = "ok", device = host.Device, mode = host.Options.Mode.ToString() }));
app.MapGet("/model", () => Results.Ok(host.Describe()));
app.MapPost("/score", async (HttpRequest request, CancellationToken cancellation) =>
{
    List<ServedInput> inputs;
    try
    {
        inputs = await RequestReader.ReadAsync(request, host.Input, host.Options, cancellation);
    }
    catch (BadInputException e)
    {
        return Results.Problem(title: e.Title, detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
    }
    try
    {
        var results = await scorer.ScoreAsync(inputs, cancellation);
        return Results.Ok(new { results });
    }
    catch (Exception e) when (e is not OperationCanceledException)
    {
        return Results.Problem(title: "Scoring failed", detail: e.Message, statusCode: StatusCodes.Status500InternalServerError);
    }
    finally
    {
        inputs.ForEach(i => i.Dispose());
    }
}).DisableAntiforgery();

app.Run();

/// <summary>The entry point, public so that tests can host the service (WebApplicationFactory).</summary>
public partial class Program;
