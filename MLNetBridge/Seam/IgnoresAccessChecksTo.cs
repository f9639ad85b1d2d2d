// CoreCLR honours this attribute (it is not in the BCL; each assembly that needs it declares its own copy): an assembly
// that carries it may use the non-public types and members of the named assembly. Our components need that to derive
// from ML.NET's base classes and to be saved and loaded as ML.NET components (see MLNetBridge/build/PublicizedMLNet.targets).
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices
{
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
    {
        public string AssemblyName { get; } = assemblyName;
    }
}
