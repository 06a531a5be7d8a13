package dev.starling.runtime;

import dev.starling.runtime.cli.FetchCommand;
import dev.starling.runtime.cli.ProfileCommand;
import dev.starling.runtime.cli.RouterCommand;
import dev.starling.runtime.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code starling-runtime.jar serve|fetch ...}. */
@Command(
    name = "starling-runtime",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Serves ONNX models over the Open Inference Protocol.",
    subcommands = {
      ServeCommand.class,
      FetchCommand.class,
      ProfileCommand.class,
      RouterCommand.class
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    commandLine().usage(System.out);
  }

  /** Prints the jar's version. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"starling-runtime " + Version.get()};
    }
  }
}
