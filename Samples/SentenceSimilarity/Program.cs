// Runs with no arguments on embedded agent/patient pairs; --help shows the TSV mode.
using var ctrlC = MLComponents.Samples.CommandLine.CtrlC.Listen();
return MLComponents.Samples.SentenceSimilarity.SimilarityApp.Run(args, Console.Out, Console.Error,
    MLComponents.Samples.Progress.TrainingDisplay.InteractiveTerminal(), ctrlC.Token);
