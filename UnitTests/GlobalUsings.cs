// The tests are ML.NET user code: every file works with ML.NET's MLContext, IDataView and data types.
global using Microsoft.ML;
global using Microsoft.ML.Data;
