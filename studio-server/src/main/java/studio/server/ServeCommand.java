package studio.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.device.Devices;
import studio.core.device.Precision;
import studio.diffusion.pipeline.ModelFolder;
import studio.server.app.Roots;
import studio.server.app.ServerSettings;
import studio.server.app.Studio;
import studio.server.work.CaptionerChecker;
import studio.server.work.PipelineGenerator;
import studio.server.work.TokenizerCounter;

/**
 * {@code studio serve}: the REST API, the server-sent events and the web UI on one port (ARCHITECTURE.md decision
 * 8). Loopback by default; another address requires {@code --token}. Runs until interrupted (Ctrl-C).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the web UI and the REST API (jobs run one at a time on the device).")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "bind address (default ${DEFAULT-VALUE}); anything but loopback needs --token")
    String host;

    @Option(names = "--port", defaultValue = "7860", description = "port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--home", description = "studio home: database, images, job files, loras/, datasets/ (default ~/.pancap-studio)")
    Path home;

    @Option(names = "--models", description = "model folders root (default <studio>/models)")
    Path models;

    @Option(names = "--token", description = "require Authorization: Bearer TOKEN on every API call (≥ 16 characters)")
    String token;

    @Option(names = "--queue", defaultValue = "32", description = "jobs that may wait (default ${DEFAULT-VALUE}); more are refused with 429")
    int queue;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "f32", description = "transformer dtype f32, bf16, f16 (default ${DEFAULT-VALUE})")
    String dtype;

    @Override
    public Integer call() throws Exception {
        ServerSettings settings = new ServerSettings(host, token, ServerSettings.DEFAULT_MAX_BODY, queue);
        Path h = home != null ? home : Path.of(System.getProperty("user.home"), ".pancap-studio");
        Path m = models != null ? models : ModelFolder.studioHome().resolve("models");
        Roots roots = Roots.under(h, m);
        Precision precision = Precision.parse(dtype, "--dtype");
        String version = new Main.Version().getVersion()[0];
        PipelineGenerator generator = new PipelineGenerator(Devices.parse(device, "--device"), precision,
                PipelineGenerator.textEncoders(precision), Map.of("studio", version));
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopped.countDown();
            try {
                closed.await(); // let the database close before the JVM halts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "studio-shutdown"));
        try (Studio studio = Studio.open(settings, roots, generator, new TokenizerCounter(), new CaptionerChecker(),
                version, "pancap-tiny").start(port)) {
            spec.commandLine().getOut().printf("PanCap Studio on http://%s:%d/  (home %s, models %s%s)%n",
                    host.contains(":") ? "[" + host + "]" : host, studio.app().port(), roots.home(), roots.models(),
                    token != null ? ", token required" : "");
            spec.commandLine().getOut().flush();
            stopped.await();
        } finally {
            closed.countDown();
        }
        return Main.EXIT_OK;
    }
}
