// Runs with no arguments on the embedded "who did it?" data; --help shows the TSV mode.
using var ctrlC = MLComponents.Samples.CommandLine.CtrlC.Listen();
return MLComponents.Samples.TextClassification.SampleApp.Run(args, Console.Out, Console.Error,
    MLComponents.Samples.Progress.TrainingDisplay.InteractiveTerminal(), ctrlC.Token);
