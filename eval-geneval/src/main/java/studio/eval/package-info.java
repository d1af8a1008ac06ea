/** GenEval rules and runner, Frechet distances, CLIPScore and reports (ARCHITECTURE.md, modules). */
package studio.eval;
