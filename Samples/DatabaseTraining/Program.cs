// Runs with no arguments on a SQLite database it creates from embedded data; --help shows how to use your own.
using var ctrlC = MLComponents.Samples.CommandLine.CtrlC.Listen();
return MLComponents.Samples.DatabaseTraining.DatabaseApp.Run(args, Console.Out, Console.Error,
    MLComponents.Samples.Progress.TrainingDisplay.InteractiveTerminal(), ctrlC.Token);
