// Runs with no arguments on the embedded "who did it?" data; see SampleArguments for the TSV mode.
return MLComponents.Samples.TextClassification.SampleApp.Run(args, Console.Out, Console.Error);
