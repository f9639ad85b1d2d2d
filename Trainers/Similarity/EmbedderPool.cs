using System.Collections.Concurrent;
using MLComponents.Engine;

namespace MLComponents.Trainers;

/// <summary>
/// Per-thread encoder workspaces: an embedder is rented for one computation and returned, so any number of
/// cursors and callers can embed at once, and a warm embedder (buffers planned) is reused instead of rebuilt.
/// </summary>
internal sealed class EmbedderPool
{
    private readonly ISentenceEncoder _model;
    private readonly ConcurrentBag<SentenceEmbedder> _free = [];

    public EmbedderPool(ISentenceEncoder model) => _model = model;

    public SentenceEmbedder Rent() => _free.TryTake(out var e) ? e : _model.CreateEmbedder();

    public void Return(SentenceEmbedder embedder) => _free.Add(embedder);
}
