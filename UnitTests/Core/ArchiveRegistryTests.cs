using System.Reflection;
using System.Reflection.Emit;
using static MLComponents.UnitTests.Core.ArchiveTestKit;

namespace MLComponents.UnitTests.Core;

/// <summary>The component registry: per context, validated at registration, never driven by CLR names.</summary>
[TestClass]
public sealed class ArchiveRegistryTests
{
    [TestMethod]
    public void RegistryIsPerContext_AndSeededOnlyWithBuiltIns()
    {
        var registered = NewContext();
        var fresh = new MLContext();
        Assert.IsTrue(registered.ComponentCatalog.IsRegistered(ArchiveBag.TypeId));
        Assert.AreEqual(typeof(ArchiveBag), registered.ComponentCatalog.GetComponentType(ArchiveBag.TypeId));
        Assert.IsFalse(fresh.ComponentCatalog.IsRegistered(ArchiveBag.TypeId));
        Assert.IsNull(fresh.ComponentCatalog.GetComponentType(ArchiveBag.TypeId));
    }

    [TestMethod]
    public void UnknownId_MakesTheRegistryLoadEveryKnownBuiltInAssembly()
    {
        Assert.IsFalse(new MLContext().ComponentCatalog.IsRegistered("Surely.Not.A.Component"));
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).ToHashSet();
        foreach (string name in new[] { "MLComponents.Core", "MLComponents.Transforms", "MLComponents.Trainers" })
            Assert.IsTrue(loaded.Contains(name), $"{name} should have been loaded to look for the id");
    }

    [TestMethod]
    public void RegisteringTheSameAssemblyTwice_IsHarmless()
    {
        var ml = NewContext();
        ml.ComponentCatalog.RegisterAssembly(typeof(ArchiveBag).Assembly);
        Assert.IsInstanceOfType<ArchiveBag>(LoadFromBytes(ml, SaveToBytes(ml, new ArchiveBag()), out _));
    }

    [TestMethod]
    public void SameIdForAnotherType_IsAClearError()
    {
        var ml = NewContext();
        var clash = DynamicAssembly((ArchiveBag.TypeId, typeof(ValidOther)));
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.ComponentCatalog.RegisterAssembly(clash));
        StringAssert.Contains(e.Message, $"'{ArchiveBag.TypeId}'");
        StringAssert.Contains(e.Message, typeof(ArchiveBag).FullName!);
        StringAssert.Contains(e.Message, typeof(ValidOther).FullName!);
        // The failed registration changed nothing.
        Assert.AreEqual(typeof(ArchiveBag), ml.ComponentCatalog.GetComponentType(ArchiveBag.TypeId));
    }

    [TestMethod]
    public void OneAssemblyDeclaringAnIdTwice_IsAClearError()
    {
        var twice = DynamicAssembly(("Dup.Id", typeof(ValidOther)), ("Dup.Id", typeof(ArchiveBag)));
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().ComponentCatalog.RegisterAssembly(twice));
        StringAssert.Contains(e.Message, "'Dup.Id' is registered for both");
    }

    [TestMethod]
    [DataRow(typeof(NoLoad), "needs a 'public static Load(ModelLoadContext ctx)'")]
    [DataRow(typeof(InstanceLoad), "needs a 'public static Load(ModelLoadContext ctx)'")]
    [DataRow(typeof(WrongParameterLoad), "needs a 'public static Load(ModelLoadContext ctx)'")]
    [DataRow(typeof(ValueReturningLoad), "must return the component")]
    [DataRow(typeof(UnrelatedReturningLoad), "must return the component")]
    public void InvalidLoadSignature_IsRefusedAtRegistration(Type type, string problem)
    {
        var ml = new MLContext();
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.ComponentCatalog.RegisterAssembly(DynamicAssembly(("Bad.Component", type))));
        StringAssert.Contains(e.Message, problem);
        StringAssert.Contains(e.Message, "Bad.Component");
        Assert.IsFalse(ml.ComponentCatalog.IsRegistered("Bad.Component"));
    }

    [TestMethod]
    public void LoadReturningABaseType_IsAccepted()
    {
        var ml = new MLContext();
        ml.ComponentCatalog.RegisterAssembly(DynamicAssembly(("Base.Returning", typeof(BaseReturningLoad))));
        Assert.AreEqual(typeof(BaseReturningLoad), ml.ComponentCatalog.GetComponentType("Base.Returning"));
    }

    /// <summary>An in-memory assembly carrying the given [ModelComponent] attributes (invalid ones cannot live in the test assembly).</summary>
    private static Assembly DynamicAssembly(params (string Id, Type Type)[] components)
    {
        var ctor = typeof(ModelComponentAttribute).GetConstructor([typeof(string), typeof(Type)])!;
        var attrs = components.Select(c => new CustomAttributeBuilder(ctor, [c.Id, c.Type]));
        return AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("ArchiveRegistryTests" + Guid.NewGuid().ToString("N")), AssemblyBuilderAccess.Run, attrs);
    }

    public sealed class ValidOther
    {
        public static ValidOther Load(ModelLoadContext ctx) => new();
    }

    public sealed class NoLoad;

    public sealed class InstanceLoad
    {
        public InstanceLoad Load(ModelLoadContext ctx) => this;
    }

    public sealed class WrongParameterLoad
    {
        public static WrongParameterLoad Load(string path) => new();
    }

    public sealed class ValueReturningLoad
    {
        public static int Load(ModelLoadContext ctx) => 0;
    }

    public sealed class UnrelatedReturningLoad
    {
        public static string Load(ModelLoadContext ctx) => "";
    }

    public sealed class BaseReturningLoad
    {
        public static object Load(ModelLoadContext ctx) => new BaseReturningLoad();
    }
}
