// The linked UnitTests files rely on the test project's global usings.
global using Microsoft.ML;
global using Microsoft.ML.Data;
