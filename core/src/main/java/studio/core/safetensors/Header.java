package studio.core.safetensors;

import java.util.Map;
import java.util.SortedMap;

/**
 * The validated header of one .safetensors file: its tensors by name, its {@code __metadata__},
 * and where its data buffer starts (file offset 8 + header length) and how long it is.
 */
record Header(long dataStart, long dataLength, SortedMap<String, TensorInfo> tensors, Map<String, String> metadata) {}
