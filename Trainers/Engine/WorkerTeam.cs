using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>One part of a parallel job: parts are independent, so which thread runs which part never matters.</summary>
internal interface IPartWork
{
    /// <summary>Runs part <paramref name="part"/>.</summary>
    void Run(int part);
}

/// <summary>
/// The engine's helper threads: a fixed team that runs the parts of one job together with the calling thread.
/// Helpers spin briefly after each job, so the next layer's job (usually microseconds away) starts without a
/// thread wake-up, then sleep. A job is a struct on the caller's stack reached through a pointer, so handing
/// one out allocates nothing (the thread pool's Parallel.For allocates per call and wakes pool threads).
/// One job runs at a time: a caller that finds the team busy (another model, or a part that itself asks for
/// threads) runs its parts itself. Parts are taken dynamically, which cannot change results, since each part's
/// arithmetic is fixed.
/// </summary>
internal sealed unsafe class WorkerTeam
{
    /// <summary>How long a helper spins for the next job before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 us

    private static readonly object Gate = new();
    private static WorkerTeam? s_team;

    private readonly Helper[] _helpers;
    private int _busy;

    // The current job. Written by the caller before the generation is bumped, read by helpers after.
    private delegate*<void*, int, void> _body;
    private void* _state;
    private int _parts;
    private int _wanted;
    private int _next;
    private int _checkedOut;
    private long _generation;

    // Who joined the current job: (generation << 32) | closed bit 31 | count. Helpers join only while the job is
    // open, and the caller closes it once no parts are left, then waits for exactly the helpers that joined: a
    // helper that was descheduled and never joined cannot hold the job up, and cannot wander into a later one.
    private long _join;
    private Exception? _error;

    private WorkerTeam(int helpers)
    {
        _helpers = new Helper[helpers];
        for (int i = 0; i < helpers; i++)
        {
            _helpers[i] = new Helper(this, i);
        }
    }

    private static long s_helperAllocatedBytes;

    /// <summary>Bytes the helper threads have allocated inside jobs so far (tests check the engine's jobs allocate nothing).</summary>
    internal static long HelperAllocatedBytes => Volatile.Read(ref s_helperAllocatedBytes);

    /// <summary>Most helper threads any caller has asked for so far.</summary>
    public static int Helpers => s_team?._helpers.Length ?? 0;

    /// <summary>
    /// Runs parts [0, <paramref name="parts"/>) of <paramref name="work"/> on the calling thread and up to
    /// <paramref name="threads"/> - 1 helpers, returning when all are done. <paramref name="work"/> must be a
    /// local of the caller (helpers reach it through its stack address). The first exception of a part is rethrown.
    /// </summary>
    public static void Run<T>(int threads, int parts, ref T work)
        where T : struct, IPartWork
    {
        int helpers = Math.Min(threads, parts) - 1;
        WorkerTeam? team = helpers > 0 ? Get(helpers) : null;
        if (team is null || Interlocked.CompareExchange(ref team._busy, 1, 0) != 0)
        {
            for (int i = 0; i < parts; i++)
            {
                work.Run(i);
            }

            return;
        }

        try
        {
            team.Execute(&Invoke<T>, Unsafe.AsPointer(ref work), parts, helpers);
        }
        finally
        {
            Volatile.Write(ref team._busy, 0);
        }
    }

    private static void Invoke<T>(void* state, int part)
        where T : struct, IPartWork => Unsafe.AsRef<T>(state).Run(part);

    private static WorkerTeam Get(int helpers)
    {
        WorkerTeam? team = Volatile.Read(ref s_team);
        if (team is not null && team._helpers.Length >= helpers)
        {
            return team;
        }

        lock (Gate)
        {
            // Grown, never shrunk: a team that is too small is replaced once (its helpers retire when idle).
            if (s_team is null || s_team._helpers.Length < helpers)
            {
                s_team?.Retire();
                s_team = new WorkerTeam(Math.Max(helpers, Environment.ProcessorCount - 1));
            }

            return s_team;
        }
    }

    private void Execute(delegate*<void*, int, void> body, void* state, int parts, int helpers)
    {
        _body = body;
        _state = state;
        _parts = parts;
        _wanted = helpers;
        _error = null;
        Volatile.Write(ref _next, 0);
        Volatile.Write(ref _checkedOut, 0);
        long generation = Volatile.Read(ref _generation) + 1;
        Volatile.Write(ref _join, generation << 32);
        Interlocked.Exchange(ref _generation, generation);
        for (int i = 0; i < helpers; i++)
        {
            _helpers[i].Wake();
        }

        Work();
        long joined;
        while (true)
        {
            joined = Volatile.Read(ref _join);
            if (Interlocked.CompareExchange(ref _join, joined | ClosedBit, joined) == joined)
            {
                break;
            }
        }

        int count = (int)(joined & CountMask);
        var spin = new SpinWait();
        while (Volatile.Read(ref _checkedOut) < count)
        {
            // Helpers finish their last part; on an oversubscribed machine SpinWait yields so they can.
            spin.SpinOnce(sleep1Threshold: -1);
        }

        if (_error is { } error)
        {
            throw new AggregateException("A parallel part of an engine layer failed.", error);
        }
    }

    private const long ClosedBit = 1L << 31;
    private const long CountMask = ClosedBit - 1;

    /// <summary>A helper joins job <paramref name="generation"/> if it is still open; false when it is closed or over.</summary>
    private bool TryJoin(long generation)
    {
        while (true)
        {
            long v = Volatile.Read(ref _join);
            if ((v >> 32) != generation || (v & ClosedBit) != 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _join, v + 1, v) == v)
            {
                return true;
            }
        }
    }

    /// <summary>Takes parts until none are left (caller and helpers alike).</summary>
    private void Work()
    {
        int part;
        while ((part = Interlocked.Increment(ref _next) - 1) < _parts)
        {
            try
            {
                _body(_state, part);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
        }
    }

    private void Retire()
    {
        foreach (var h in _helpers)
        {
            h.Retire();
        }
    }

    private sealed class Helper
    {
        private readonly WorkerTeam _team;
        private readonly int _index;
        private readonly ManualResetEventSlim _signal = new(false, spinCount: 1);
        private int _sleeping;
        private volatile bool _retired;

        public Helper(WorkerTeam team, int index)
        {
            _team = team;
            _index = index;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"MLComponents engine helper {index + 1}" };
            thread.Start();
        }

        public void Wake()
        {
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _sleeping) != 0)
            {
                _signal.Set();
            }
        }

        public void Retire()
        {
            _retired = true;
            _signal.Set();
        }

        private void Loop()
        {
            long seen = Volatile.Read(ref _team._generation);
            while (!_retired)
            {
                long generation = WaitForJob(seen);
                if (generation == seen)
                {
                    continue;
                }

                seen = generation;
                if (_index < _team._wanted && _team.TryJoin(generation))
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    _team.Work();
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    Interlocked.Increment(ref _team._checkedOut);
                    if (allocated != 0)
                    {
                        Interlocked.Add(ref s_helperAllocatedBytes, allocated);
                    }
                }
            }
        }

        private long WaitForJob(long seen)
        {
            long start = Stopwatch.GetTimestamp();
            int spins = 0;
            while (true)
            {
                long generation = Volatile.Read(ref _team._generation);
                if (generation != seen || _retired)
                {
                    return generation;
                }

                if (++spins % 64 == 0 && Stopwatch.GetTimestamp() - start > SpinTicks)
                {
                    break;
                }

                Thread.SpinWait(8);
            }

            // Sleep until woken; the generation is re-read after announcing it, so no wake-up is lost.
            _signal.Reset();
            Volatile.Write(ref _sleeping, 1);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _team._generation) == seen && !_retired)
            {
                _signal.Wait();
            }

            Volatile.Write(ref _sleeping, 0);
            return Volatile.Read(ref _team._generation);
        }
    }
}
