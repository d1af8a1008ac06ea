/**
 * Image and video I/O through FFmpeg (org.bytedeco 7.1.1; ARCHITECTURE.md decision 7).
 *
 * <ul>
 *   <li>{@link studio.core.image.RgbImage}: the one pixel type, 8-bit RGB, interleaved HWC; COCO
 *       panoptic id helpers ({@code id = R + 256·G + 256²·B}).</li>
 *   <li>{@link studio.core.image.ImageDecoder}: PNG (8/16-bit, RGB/RGBA/gray/palette), JPEG, WebP,
 *       BMP, GIF, TIFF... from a file or bytes; 8-bit RGB PNGs decode bit-exactly; alpha dropped.</li>
 *   <li>{@link studio.core.image.PngFiles} and {@link studio.core.image.PngTextChunk}: lossless PNG
 *       with {@code tEXt}/{@code iTXt} metadata, atomic writes, reading the text back.</li>
 *   <li>{@link studio.core.image.ImageEncoder}: JPEG and WebP.</li>
 *   <li>{@link studio.core.image.ImageResizer} with a named {@link studio.core.image.ResizeFilter}:
 *       metrics such as FID depend on the filter, so it is always explicit.</li>
 *   <li>{@link studio.core.image.ImageTensors}: DJL {@code [3,H,W]} / {@code [B,3,H,W]} tensors in
 *       [0,1] or [-1,1].</li>
 *   <li>{@link studio.core.image.VideoWriter} (MP4 H.264 via libopenh264, animated GIF) and
 *       {@link studio.core.image.VideoReader}.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Every public method is safe to call concurrently: each call allocates its own
 * FFmpeg contexts (format, codec, swscale, AVIO, frames, packets) and frees them in
 * {@code finally} blocks before returning. The only process-wide state is FFmpeg's log level (set
 * once to quiet in {@code Ffmpeg}) and the registry of in-memory inputs in {@code MemoryInput},
 * a concurrent map.
 *
 * <p><b>Errors.</b> Malformed user files raise {@link studio.core.BadInputException} naming the file;
 * FFmpeg's own error codes never escape as native failures.
 */
package studio.core.image;
