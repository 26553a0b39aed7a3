"""NEF's Local Multiplier 3: how much of a spend stays in the local economy over three rounds."""
