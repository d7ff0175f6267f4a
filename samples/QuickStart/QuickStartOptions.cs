namespace Ml.Ood.QuickStart;

/// <summary>The quick start's command line.</summary>
/// <param name="Data">A folder of MNIST / Fashion-MNIST IDX files given with --data, or null for the fetched cache.</param>
/// <param name="Output">Where the plots, scores and model go.</param>
/// <param name="Dump">Where to write the arrays for the Python peer, or null.</param>
/// <param name="ScoreSaved">A saved model and the file to write its scores to (used by the tests), or null.</param>
/// <param name="GpuDeviceId">The CUDA device to run the encoder and heads on (--gpu), or null for the CPU.</param>
/// <param name="TimeHeads">Whether to print each head's time over the test images (--time-heads).</param>
/// <param name="SaveModel">Where to save the fitted model and stop (--save-model; the service serves it), or null.</param>
public sealed record QuickStartOptions(string? Data, string Output, string? Dump, (string Zip, string Scores)? ScoreSaved,
    int? GpuDeviceId = null, string? SaveModel = null, bool TimeHeads = false)
{
    /// <summary>The default output folder, relative to the current folder; git ignores it anywhere in the repository.</summary>
    public const string DefaultOutput = "mlood-quickstart";

    public const string Usage = """
        usage: dotnet run -c Release --project samples/QuickStart -- [--data DIR] [--out DIR] [--dump DIR] [--gpu ID]
          --data DIR    a folder with the standard MNIST and Fashion-MNIST IDX files (layout below); default:
                        $MLOOD_DATA, else .cache/mlood-data, filled by samples/data/fetch.sh on first use
          --out DIR     where the plots, scores and model go (default: ./mlood-quickstart, ignored by git)
          --dump DIR    also write embeddings, logits and scores for tests/Ml.Ood.Benchmarks/peer/peer.py
          --score-saved ZIP OUT   score the test images with a saved model in this process (the tests use it)
          --gpu ID      run the encoder and the heads on CUDA device ID; needs the GPU build
                        (dotnet run -c Release -p:MlOodGpu=true ...); without CUDA one line says so and the CPU runs
          --time-heads  also print each head's own time over the test images (scripts/gpu-check.sh)
          --save-model ZIP        fit the detector, save it as ZIP (what samples/Service serves) and stop
        Data layout (plain or .gz files, as LeCun and Zalando publish them):
          DIR/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte
          DIR/fashion-mnist/t10k-{images-idx3,labels-idx1}-ubyte
          DIR/textures/{brick,grass,gravel}.png   optional (far-OOD): scikit-image's skimage/data images
        """;

    /// <summary>Reads the arguments; null means "print the usage and stop" (--help).</summary>
    /// <exception cref="QuickStartException">An unknown option or a missing value.</exception>
    public static QuickStartOptions? Parse(string[] args)
    {
        string? data = null, dump = null, output = DefaultOutput;
        (string, string)? scoreSaved = null;
        int? gpu = null;
        string? saveModel = null;
        bool timeHeads = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new QuickStartException($"{args[i]} needs a value.\n{Usage}");
            switch (args[i])
            {
                case "--help" or "-h":
                    return null;
                case "--data":
                    data = Value();
                    break;
                case "--out":
                    output = Value();
                    break;
                case "--dump":
                    dump = Value();
                    break;
                case "--score-saved":
                    scoreSaved = (Value(), Value());
                    break;
                case "--gpu":
                    string id = Value();
                    gpu = int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int device)
                        ? device : throw new QuickStartException($"--gpu takes a CUDA device number (0, 1, ...), not '{id}'.");
                    break;
                case "--time-heads":
                    timeHeads = true;
                    break;
                case "--save-model":
                    saveModel = Value();
                    break;
                default:
                    throw new QuickStartException($"Unknown argument '{args[i]}'.\n{Usage}");
            }
        }
        return new QuickStartOptions(data, output, dump, scoreSaved, gpu, saveModel, timeHeads);
    }
}
