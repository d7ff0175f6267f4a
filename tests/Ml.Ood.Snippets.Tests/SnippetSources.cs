namespace Ml.Ood.Snippets.Tests;

/// <summary>
/// The two sides of a README snippet: C# blocks in the repository's markdown files, each preceded by a
/// <c>&lt;!-- snippet: NAME --&gt;</c> line, and the <c>#region NAME</c> parts of Snippets/*.cs that hold the
/// same code where the compiler sees it.
/// </summary>
internal static class SnippetSources
{
    private static readonly string[] CSharpFences = ["```csharp", "```cs", "```c#"];
    private static readonly string[] SkippedFolders = ["bin", "obj", ".git", ".cache", "node_modules", "TestResults", "artifacts"];

    /// <summary>A C# block of a markdown file; <paramref name="Name"/> is null when no snippet marker precedes it.</summary>
    public sealed record Block(string File, int Line, string? Name, string Text);

    /// <summary>Every C# block of every markdown file under <paramref name="root"/>, outside build and cache folders.</summary>
    public static IEnumerable<Block> MarkdownBlocks(string root)
    {
        foreach (string file in MarkdownFiles(root))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (!CSharpFences.Contains(lines[i].Trim()))
                {
                    continue;
                }

                string? name = i > 0 ? MarkerName(lines[i - 1]) : null;
                int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
                if (end < 0)
                {
                    throw new InvalidDataException($"{file}:{i + 1}: unclosed code block");
                }
                // A block inside a list item is indented like its fence; the code itself starts at the fence's column.
                int fenceIndent = lines[i].Length - lines[i].TrimStart(' ').Length;
                var code = lines[(i + 1)..end].Select(l => l.Length - l.TrimStart(' ').Length >= fenceIndent ? l[fenceIndent..] : l.TrimStart(' '));
                yield return new Block(Path.GetRelativePath(root, file), i + 1, name, Join(code));
                i = end;
            }
        }
    }

    /// <summary>Every region of the snippet sources, its parts joined in file order, each part dedented.</summary>
    public static Dictionary<string, string> Regions(string folder)
    {
        var parts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(folder, "*.cs").Order(StringComparer.Ordinal))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string trimmed = lines[i].Trim();
                if (!trimmed.StartsWith("#region ", StringComparison.Ordinal))
                {
                    continue;
                }

                string name = trimmed["#region ".Length..].Trim();
                int end = Array.FindIndex(lines, i + 1, l => l.Trim().StartsWith("#endregion", StringComparison.Ordinal));
                if (end < 0)
                {
                    throw new InvalidDataException($"{file}:{i + 1}: #region {name} has no #endregion");
                }

                if (!parts.TryGetValue(name, out var list))
                {
                    parts[name] = list = [];
                }

                list.Add(Join(Dedent(lines[(i + 1)..end])));
                i = end;
            }
        }
        return parts.ToDictionary(p => p.Key, p => string.Concat(p.Value), StringComparer.Ordinal);
    }

    private static string? MarkerName(string line)
    {
        const string Start = "<!-- snippet:", End = "-->";
        string t = line.Trim();
        return t.StartsWith(Start, StringComparison.Ordinal) && t.EndsWith(End, StringComparison.Ordinal)
            ? t[Start.Length..^End.Length].Trim()
            : null;
    }

    private static IEnumerable<string> MarkdownFiles(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string file in Directory.GetFiles(dir, "*.md"))
            {
                yield return file;
            }

            foreach (string sub in Directory.GetDirectories(dir))
            {
                if (!SkippedFolders.Contains(Path.GetFileName(sub)))
                {
                    pending.Push(sub);
                }
            }
        }
    }

    private static string[] Dedent(string[] lines)
    {
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart(' ').Length).DefaultIfEmpty(0).Min();
        return lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart(' ')).ToArray();
    }

    /// <summary>Lines joined with "\n" and a final "\n", trailing spaces removed, so parts concatenate as lines.</summary>
    private static string Join(IEnumerable<string> lines) => string.Concat(lines.Select(l => l.TrimEnd() + "\n"));
}
