using System.Text.Json;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Tests;

/// <summary>
/// A toy CLIP for tests (no CLIP weights are obtainable here): a CLIP-format BPE vocabulary, a text model
/// (token embedding table, position weights, sum) and an image model (channel means, then a projection),
/// built with the graph builder. Width 4.
/// </summary>
internal static class ToyClip
{
    public const int Width = 4;
    public static readonly string[] Merges = ["p h", "o t", "ph ot", "phot o</w>", "c a", "ca t</w>"];

    /// <summary>Writes vocab.json, merges.txt, text.onnx and image.onnx into <paramref name="folder"/>; returns the vocabulary.</summary>
    public static Dictionary<string, int> Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var vocab = new Dictionary<string, int>();
        foreach (string token in "abcdefghijklmnopqrstuvwxyz.".Select(c => c.ToString())
            .Concat("abcdefghijklmnopqrstuvwxyz.".Select(c => c + "</w>"))
            .Concat(Merges.Select(m => m.Replace(" ", "")))
            .Append("<|startoftext|>").Append("<|endoftext|>"))
        {
            vocab[token] = vocab.Count;
        }

        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllLines(Path.Combine(folder, "merges.txt"), ["#version: 0.2", .. Merges]);
        File.WriteAllBytes(Path.Combine(folder, "text.onnx"), TextModel(vocab.Count));
        File.WriteAllBytes(Path.Combine(folder, "image.onnx"), ImageModel());
        return vocab;
    }

    /// <summary>embedding = sum_t table[id_t] * position_t: order-sensitive, as a real text encoder.</summary>
    private static byte[] TextModel(int vocabularySize)
    {
        var random = new Random(11);
        var g = new OnnxGraphBuilder("toy_clip_text");
        g.AddInput("input_ids", TensorProto.Types.DataType.Int64, 77);
        g.AddInitializer("token_embedding", Values(random, vocabularySize * Width), vocabularySize, Width);
        g.AddInitializer("position_weight", Values(random, 77 * Width), 77, Width);
        g.AddInitializer("axis_1", [1L], 1);
        string tokens = g.AddNode("Gather", ["token_embedding", "input_ids"], attributes: OnnxAttributes.Int("axis", 0));
        string weighted = g.AddNode("Mul", [tokens, "position_weight"]);
        g.AddNode("ReduceSum", [weighted, "axis_1"], "text_embeds", OnnxAttributes.Int("keepdims", 0));
        g.AddOutput("text_embeds", TensorProto.Types.DataType.Float, Width);
        return g.ToBytes();
    }

    /// <summary>image_embeds = mean over pixels of each of the 3 channels, times a 3 x 4 projection, plus a bias.</summary>
    private static byte[] ImageModel()
    {
        var random = new Random(12);
        var g = new OnnxGraphBuilder("toy_clip_image");
        g.AddInput("pixel_values", TensorProto.Types.DataType.Float, 3, 224, 224);
        string means = g.AddNode("ReduceMean", ["pixel_values", g.AddInitializer("spatial", [2L, 3L], 2)], attributes: OnnxAttributes.Int("keepdims", 0));
        string projected = g.AddNode("MatMul", [means, g.AddInitializer("projection", Values(random, 3 * Width), 3, Width)]);
        g.AddNode("Add", [projected, g.AddInitializer("bias", Values(random, Width), Width)], "image_embeds");
        g.AddOutput("image_embeds", TensorProto.Types.DataType.Float, Width);
        return g.ToBytes();
    }

    private static float[] Values(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
