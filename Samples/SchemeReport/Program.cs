// Trains each chosen position scheme on the embedded data (or --train/--test TSVs) and writes one HTML report.
using var ctrlC = MLComponents.Samples.CommandLine.CtrlC.Listen();
return MLComponents.Samples.SchemeReport.ReportApp.Run(args, Console.Out, Console.Error,
    MLComponents.Samples.Progress.TrainingDisplay.InteractiveTerminal(), ctrlC.Token);
