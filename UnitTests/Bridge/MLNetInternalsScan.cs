using System.Reflection;
using System.Reflection.Emit;

namespace MLComponents.UnitTests.Bridge;

/// <summary>
/// Lists every use our assemblies make of Microsoft.ML's non-public API, from what the runtime itself resolves: member references
/// in method bodies (resolved exactly as the JIT resolves them, generic context included), overrides of non-public virtual
/// members, non-public base types and interfaces. Resolution failures are collected too: after a Microsoft.ML upgrade they say
/// precisely which internal member went missing.
/// </summary>
internal static class MLNetInternalsScan
{
    private static readonly Dictionary<short, OpCode> OneByte = [], TwoByte = [];

    static MLNetInternalsScan()
    {
        foreach (var f in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)f.GetValue(null)!;
            if (op.Size == 1) OneByte[op.Value] = op;
            else TwoByte[(short)(op.Value & 0xFF)] = op;
        }
    }

    public sealed record Result(SortedSet<string> Uses, List<string> Failures);

    public static Result Scan(IEnumerable<Assembly> assemblies)
    {
        var uses = new SortedSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var assembly in assemblies)
        {
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                failures.AddRange(e.LoaderExceptions.Select(x => $"{assembly.GetName().Name}: type load failed: {x?.Message}"));
                types = [.. e.Types.Where(t => t is not null).Cast<Type>()];
            }
            foreach (var type in types) ScanType(type, uses, failures);
        }
        return new Result(uses, failures);
    }

    private static void ScanType(Type type, SortedSet<string> uses, List<string> failures)
    {
        // Compiler-generated closures and state machines count as the type whose code they hold.
        var named = type;
        while (named.Name.StartsWith('<') && named.DeclaringType is { } outer) named = outer;
        string owner = $"{type.Assembly.GetName().Name}: {Name(named)}";
        if (type.BaseType is { } b && IsInternalMLNet(b)) uses.Add($"{owner} derives from {Name(b)}");
        var inherited = type.BaseType?.GetInterfaces() ?? [];
        foreach (var i in type.GetInterfaces().Except(inherited).Where(IsInternalMLNet))
            uses.Add($"{owner} implements {Name(i)}");
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo mi && mi.IsVirtual && mi.GetBaseDefinition() is { } root && root != mi && IsInternalMLNet(root))
                uses.Add($"{owner} overrides {Name(root.DeclaringType!)}.{root.Name}");
            ScanBody(method, owner, uses, failures);
        }
    }

    private static void ScanBody(MethodBase method, string owner, SortedSet<string> uses, List<string> failures)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException)
        {
            failures.Add($"{owner}.{method.Name}: body cannot be read: {e.Message}");
            return;
        }
        if (il is null) return;
        var typeArgs = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int pc = 0; pc < il.Length;)
        {
            OpCode op = il[pc] == 0xFE ? TwoByte[il[pc + 1]] : OneByte[il[pc]];
            pc += op.Size;
            int operandSize = OperandSize(op.OperandType, il, pc);
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                int token = BitConverter.ToInt32(il, pc);
                try
                {
                    var member = method.Module.ResolveMember(token, typeArgs, methodArgs);
                    if (member is not null && IsInternalMLNetMember(member))
                        uses.Add($"{owner} uses {Describe(member)}");
                }
                catch (Exception e) when (e is MissingMemberException or TypeLoadException or ArgumentException or BadImageFormatException
                    or FileNotFoundException or MemberAccessException)
                {
                    failures.Add($"{owner}.{method.Name}: {e.GetType().Name}: {e.Message}");
                }
            }
            pc += operandSize;
        }
    }

    private static int OperandSize(OperandType t, byte[] il, int at) => t switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    private static bool IsMLNet(Assembly a) => a.GetName().Name is "Microsoft.ML.Core" or "Microsoft.ML.Data";

    private static bool IsInternalMLNet(Type t)
    {
        if (t.IsGenericType && !t.IsGenericTypeDefinition && t.GetGenericArguments().Any(IsInternalMLNet)) return true;
        if (t.HasElementType) return IsInternalMLNet(t.GetElementType()!);
        if (t.IsGenericParameter || !IsMLNet(t.Assembly)) return false;
        for (var x = t; x is not null; x = x.DeclaringType)
        {
            if (!(x.IsPublic || x.IsNestedPublic || x.IsNestedFamily || x.IsNestedFamORAssem)) return true;
        }
        return false;
    }

    private static bool IsInternalMLNet(MethodInfo m) =>
        IsMLNet(m.DeclaringType!.Assembly) && (IsInternalMLNet(m.DeclaringType) || !(m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly));

    private static bool IsInternalMLNetMember(MemberInfo member) => member switch
    {
        Type t => IsInternalMLNet(t),
        MethodBase m => IsMLNet(m.DeclaringType!.Assembly)
            && (IsInternalMLNet(m.DeclaringType) || !(m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly)
                || (m is MethodInfo { IsGenericMethod: true } g && g.GetGenericArguments().Any(IsInternalMLNet))),
        FieldInfo f => IsMLNet(f.DeclaringType!.Assembly) && (IsInternalMLNet(f.DeclaringType) || !(f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly)),
        _ => false,
    };

    private static string Describe(MemberInfo member) => member switch
    {
        Type t => Name(t),
        MethodBase m => $"{Name(m.DeclaringType!)}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => Name(p.ParameterType)))})",
        FieldInfo f => $"{Name(f.DeclaringType!)}.{f.Name}",
        _ => member.ToString() ?? "?",
    };

    /// <summary>A stable, readable name: generic definitions without their (our) arguments, so the list does not churn.</summary>
    private static string Name(Type t)
    {
        if (t.IsGenericParameter) return t.Name;
        if (t.HasElementType) return Name(t.GetElementType()!) + (t.IsArray ? "[]" : t.IsByRef ? "&" : "*");
        string name = t.IsNested ? $"{Name(t.DeclaringType!)}+{t.Name}" : $"{t.Namespace}.{t.Name}";
        if (t.IsGenericType)
        {
            int tick = name.LastIndexOf('`');
            string args = string.Join(", ", t.GetGenericArguments().Select(a => IsMLNet(a.Assembly) || a.IsGenericParameter || a.Namespace?.StartsWith("System", StringComparison.Ordinal) == true ? Name(a) : "T"));
            name = (tick > 0 ? name[..tick] : name) + $"<{args}>";
        }
        return name;
    }
}
