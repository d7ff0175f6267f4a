#!/usr/bin/python3
"""Writes each samples/apps/<name>.cs as its notebook twin samples/notebooks/<name>.ipynb.

The app is the source of truth (CI runs it); the notebook holds the same code: a first cell that
references the packages (from a local feed that `dotnet pack` fills), the type declarations (which a
C# file-based app must put last, and a notebook must run first), then one cell per "// Step" comment.
tests/Ml.Ood.EndToEnd.Tests/FileBasedAppTests.cs checks that the two stay the same program.
Usage: /usr/bin/python3 samples/notebooks/make_notebooks.py
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = os.path.join(HERE, "..", "apps")

SETUP = """#i "nuget: ../../artifacts/packages"
#r "nuget: Ml.Ood.Trainers, 0.1.0"
#r "nuget: Ml.Ood.Evaluators, 0.1.0"
#r "nuget: Microsoft.ML.ImageAnalytics, 5.0.1"
#r "nuget: Microsoft.ML.OnnxRuntime, 1.31.0"
#r "nuget: SkiaSharp, 2.88.9"
#r "nuget: SkiaSharp.NativeAssets.Linux.NoDependencies, 2.88.9\""""


def cell(kind, text):
    lines = text.split("\n")
    source = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    c = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        c.update({"execution_count": None, "outputs": []})
        c["metadata"] = {"dotnet_interactive": {"language": "csharp"}}
    return c


def notebook(app_text, name):
    body = [l for l in app_text.split("\n") if not l.startswith("#:") and not l.startswith("#!")]
    text = "\n".join(body).rstrip("\n")
    types_at = text.index("\n/// <summary>")
    statements, types = text[:types_at], text[types_at + 1:]
    steps = re.split(r"\n(?=// Step \d+:)", statements.rstrip("\n"))
    header = steps.pop(0)
    intro = "\n".join(l[3:] for l in header.split("\n") if l.startswith("// "))
    usings = "\n".join(l for l in header.split("\n") if not l.startswith("// "))
    cells = [cell("markdown", f"# {name}\n\n{intro}\n\nRun `dotnet pack MlOod.sln -c Release -o artifacts/packages` "
                              "first: the next cell references the MlOod packages from that local feed."),
             cell("code", SETUP + "\n" + usings.strip("\n")),
             cell("code", types)]
    cells += [cell("code", s.strip("\n")) for s in steps]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
                                         "language_info": {"name": "C#"}}, "nbformat": 4, "nbformat_minor": 5}


for f in sorted(os.listdir(APPS)):
    if f.endswith(".cs"):
        name = f[:-3]
        with open(os.path.join(APPS, f)) as src:
            nb = notebook(src.read(), name)
        with open(os.path.join(HERE, name + ".ipynb"), "w") as out:
            json.dump(nb, out, indent=1)
            out.write("\n")
        print("wrote", name + ".ipynb")
