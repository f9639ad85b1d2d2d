// Runs with no arguments on embedded agent/patient pairs; see SimilarityArguments for the TSV mode.
return MLComponents.Samples.SentenceSimilarity.SimilarityApp.Run(args, Console.Out, Console.Error);
