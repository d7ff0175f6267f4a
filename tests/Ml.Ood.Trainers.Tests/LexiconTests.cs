namespace Ml.Ood.Trainers.Tests;

/// <summary>The WordNet and word-list loaders on the tiny fixtures under Fixtures/ (no wordnet-base needed).</summary>
[TestClass]
public sealed class LexiconTests
{
    private static readonly string WordNet = Path.Combine(AppContext.BaseDirectory, "Fixtures", "wordnet");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void WordNetDataFilesGiveNounsThenAdjectivesWithoutTheDefaultExclusions()
    {
        // data.noun: entity; physical_entity + Entity (a repeat, ignoring case); dog + domestic_dog; child (noun.person),
        // dozen (noun.quantity) and crowd (noun.group) excluded. data.adj: able; outback(a) + remote; atomic (adj.pert)
        // excluded; dog already a noun.
        var words = Lexicon.LoadWordNet(WordNet);
        CollectionAssert.AreEqual(
            new[] { "entity", "physical entity", "dog", "domestic dog", "able", "outback", "remote" },
            words.Select(w => w.Text).ToArray());
        CollectionAssert.AreEqual(
            new[] { PartOfSpeech.Noun, PartOfSpeech.Noun, PartOfSpeech.Noun, PartOfSpeech.Noun, PartOfSpeech.Adjective, PartOfSpeech.Adjective, PartOfSpeech.Adjective },
            words.Select(w => w.PartOfSpeech).ToArray());
    }

    [TestMethod]
    public void ExclusionsCanBeChosen()
    {
        var all = Lexicon.LoadWordNet(WordNet, excludedCategories: []).Select(w => w.Text).ToArray();
        CollectionAssert.AreEqual(new[] { "entity", "physical entity", "dog", "domestic dog", "child", "dozen", "crowd", "able", "outback", "remote", "atomic" }, all);
        var withoutAnimals = Lexicon.LoadWordNet(WordNet, excludedCategories: ["noun.animal"]).Select(w => w.Text).ToArray();
        CollectionAssert.DoesNotContain(withoutAnimals, "domestic dog");
        CollectionAssert.Contains(withoutAnimals, "dog", "dog is also an adjective in the fixture, so it comes back as one");
    }

    [TestMethod]
    public void IndexFilesAreTheFallback()
    {
        var words = Lexicon.LoadWordNet(Path.Combine(AppContext.BaseDirectory, "Fixtures", "wordnet-index"));
        CollectionAssert.AreEqual(new[] { "entity", "physical entity", "able" }, words.Select(w => w.Text).ToArray());
        Assert.AreEqual(PartOfSpeech.Adjective, words[2].PartOfSpeech);
    }

    [TestMethod]
    public void AMissingWordNetSaysWhatToInstall()
    {
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => Lexicon.LoadWordNet(Path.Combine(AppContext.BaseDirectory, "Fixtures")));
        StringAssert.Contains(error.Message, "apt-get install wordnet-base");
    }

    [TestMethod]
    public void WordListsSkipBlanksCommentsAndRepeats()
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"words-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, ["# colours", "red", "", "  sky blue  ", "Red", "green"]);
        var words = Lexicon.LoadWordList(path, PartOfSpeech.Adjective);
        CollectionAssert.AreEqual(new[] { "red", "sky blue", "green" }, words.Select(w => w.Text).ToArray());
        Assert.IsTrue(words.All(w => w.PartOfSpeech == PartOfSpeech.Adjective));
    }
}
