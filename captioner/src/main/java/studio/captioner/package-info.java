/**
 * PanCaper: panoptic segmenter plus grounded caption decoder, phrase-to-class alignment, PQ and caption
 * metrics, and the closed-loop check of an image against its prompt (ARCHITECTURE.md, modules).
 */
package studio.captioner;
