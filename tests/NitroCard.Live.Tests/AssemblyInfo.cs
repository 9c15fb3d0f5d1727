// One live region at a time: every region uses the same namespace names and run directory.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
