import ShipmeterCLI

await Shipmeter.runFromCommandLine()
