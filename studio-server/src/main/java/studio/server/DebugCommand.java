package studio.server;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import studio.core.BadInputException;
import studio.core.device.Devices;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;
import studio.diffusion.lora.Lora;
import studio.diffusion.lora.LoraNames;
import studio.diffusion.mmdit.SD3Transformer;

/** {@code studio debug ...}: run one model part on given inputs, to check it against another implementation. */
@Command(name = "debug", description = "Run one model part on given tensors (for parity checks).",
        subcommands = {DebugCommand.Forward.class})
final class DebugCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code studio debug forward}: one MMDiT forward. Inputs {@code hidden_states} [B,C,H,W], {@code timestep} [B],
     * {@code encoder_hidden_states} [B,T,D_joint], {@code pooled_projections} [B,D_pool] (any float dtype);
     * output {@code sample} [B,C,H,W] in fp32.
     */
    @Command(name = "forward", mixinStandardHelpOptions = true,
            description = "One SD3 transformer forward on the tensors of --inputs; writes `sample` (fp32) to --out.")
    static final class Forward implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--transformer", required = true, description = "diffusers transformer/ folder (or .safetensors)")
        Path transformer;

        @Option(names = "--inputs", required = true, description = "safetensors with hidden_states, timestep, "
                + "encoder_hidden_states, pooled_projections")
        Path inputs;

        @Option(names = "--out", required = true, description = "output safetensors (tensor `sample`)")
        Path out;

        @Option(names = "--lora", description = "LoRA file (PEFT, kohya or ComfyUI keys), optionally :SCALE; repeatable")
        List<String> loras = new ArrayList<>();

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--dtype", defaultValue = "f32", description = "compute dtype f32, bf16, f16 (default ${DEFAULT-VALUE})")
        String dtype;

        @Override
        public Integer call() throws Exception {
            for (Path p : new Path[] {transformer, inputs}) {
                if (!Files.exists(p)) {
                    throw new BadInputException(p.toString(), "no such file or directory");
                }
            }
            try (NDManager m = NDManager.newBaseManager(Devices.parse(device, "--device"));
                 SafeTensors in = SafeTensors.open(inputs)) {
                SD3Transformer model = SD3Transformer.load(transformer, m, Precision.parse(dtype));
                attachLoras(model, m);
                NDArray x = model.toCompute(input(in, "hidden_states", 4, m));
                NDArray t = input(in, "timestep", 1, m);
                NDArray ctx = model.toCompute(input(in, "encoder_hidden_states", 3, m));
                NDArray pooled = model.toCompute(input(in, "pooled_projections", 2, m));
                NDArray y = model.toF32(model.forward(x, t, ctx, pooled)).toType(DataType.FLOAT32, false);
                new SafeTensorsWriter().metadata("format", "pt").metadata("generator", "studio debug forward")
                        .addF32("sample", y.getShape().getShape(), y.toFloatArray()).write(out);
                spec.commandLine().getOut().println("wrote " + out + " sample " + y.getShape());
            }
            return Main.EXIT_OK;
        }

        private void attachLoras(SD3Transformer model, NDManager m) throws java.io.IOException {
            LoraNames names = new LoraNames(model.config(), model.linears().keySet());
            for (int i = 0; i < loras.size(); i++) {
                String spec = loras.get(i);
                float scale = 1f;
                String file = spec;
                int colon = spec.lastIndexOf(':');
                if (colon > 0) {
                    try {
                        scale = Float.parseFloat(spec.substring(colon + 1));
                        file = spec.substring(0, colon);
                    } catch (NumberFormatException e) {
                        file = spec; // a ':' inside the path
                    }
                }
                if (!Files.isRegularFile(Path.of(file))) {
                    throw new BadInputException("--lora " + spec, "no such file");
                }
                Lora.load(Path.of(file), names, m).attach(model.linears(), "lora" + i, scale);
            }
        }

        private NDArray input(SafeTensors in, String name, int rank, NDManager m) {
            if (!in.contains(name)) {
                throw new BadInputException(inputs + ": " + name, "missing tensor");
            }
            long[] shape = in.info(name).shape();
            if (shape.length != rank) {
                throw new BadInputException(inputs + ": " + name, "expected " + rank + " dimensions, got "
                        + java.util.Arrays.toString(shape));
            }
            return m.create(in.readFloats(name), new Shape(shape));
        }
    }
}
