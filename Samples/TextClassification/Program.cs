// Placeholder until the Transformer trainer lands (issue 4).
System.Console.WriteLine("MLComponents text classification sample");
