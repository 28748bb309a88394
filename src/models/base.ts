/**
 * What every token-classification encoder shares: named variables (HF keys), input checks, the
 * encoder loop (embeddings → layers, one tidy scope per layer, gradient checkpointing), the
 * classifier head (dropout → linear), saving, disposal. A model file gives its parameter specs,
 * its embeddings and one layer.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../util/atomic";
import { configToHf, type TokenClassificationConfig } from "./config";
import { addLayerNorm, geluNew, layerNorm, linear, linearGelu } from "../backend/ops";
import { attentionBias, type LinearParams } from "./attention";
import { DropoutContext } from "./dropout";
import { checkpointed, shouldCheckpoint, type GradientCheckpointing } from "./recompute";
import { encodeSafetensors, type F32Tensor } from "./safetensors";
import { toHfLayout, type ParamSpec } from "./weights";

/** Model inputs: int32 [batch, seq] tensors. */
export interface ModelInputs {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** BERT segment ids (default zeros); ignored by DistilBERT. */
  tokenTypeIds?: tf.Tensor2D;
}

export interface ForwardOptions {
  /** Apply dropout (default false). */
  training?: boolean;
  /** Seed of the dropout masks in training mode (default: a random seed). */
  dropoutSeed?: number;
}

/** Batch and sequence length of a forward pass. */
export interface Dims {
  batch: number;
  seq: number;
}

/** The contract every model of this library fulfils. */
export interface TokenClassificationModel {
  readonly config: TokenClassificationConfig;
  /** Logits [batch, seq, numLabels]. */
  forward(inputs: ModelInputs, opts?: ForwardOptions): tf.Tensor3D;
  /** Trainable variables by HF parameter name, in checkpoint order. */
  namedWeights(): Map<string, tf.Variable>;
  /** Write config.json + model.safetensors loadable by Python transformers. */
  savePretrained(dir: string): Promise<void>;
  dispose(): void;
}

/** File names of an HF checkpoint directory. */
export const CONFIG_FILE = "config.json";
export const WEIGHTS_FILE = "model.safetensors";

export abstract class EncoderForTokenClassification implements TokenClassificationModel {
  readonly config: TokenClassificationConfig;
  readonly specs: readonly ParamSpec[];
  protected readonly params: Map<string, tf.Variable>;
  /** Recompute encoder layers in the backward pass instead of keeping their activations (src/models/recompute.ts). */
  gradientCheckpointing: GradientCheckpointing = "auto";
  private disposed = false;

  constructor(config: TokenClassificationConfig, specs: ParamSpec[], params: Map<string, tf.Variable>) {
    this.config = config;
    this.specs = specs;
    this.params = params;
    for (const s of specs) if (!params.has(s.name)) throw new Error(`model is missing parameter ${s.name}`);
  }

  /** HF prefix of encoder layer `i`'s parameters, e.g. `bert.encoder.layer.3`. */
  protected abstract layerPrefix(i: number): string;

  /** Embeddings → LayerNorm → dropout: hidden states [batch·seq, hidden]. */
  protected abstract embeddings(inputs: ModelInputs, dims: Dims, dropout: DropoutContext): tf.Tensor2D;

  /** Encoder layer `i`: x [batch·seq, hidden], key bias [batch, 1, 1, seq] → [batch·seq, hidden]. */
  protected abstract layer(
    i: number,
    x: tf.Tensor2D,
    bias: tf.Tensor4D,
    dims: Dims,
    dropout: DropoutContext,
  ): tf.Tensor2D;

  /** Hidden states [batch·seq, hidden] before the classifier head. */
  protected encode(inputs: ModelInputs, dims: Dims, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    let x = this.embeddings(inputs, dims, dropout); // [batch·seq, hidden]
    const bias = attentionBias(inputs.attentionMask); // [batch, 1, 1, seq]
    const layerShape = { ...dims, hidden: c.hiddenSize, intermediate: c.intermediateSize, heads: c.numHeads };
    const ckpt = shouldCheckpoint(this.gradientCheckpointing, layerShape, c.numLayers, 4 * this.numParameters());
    for (let i = 0; i < c.numLayers; i++) {
      const block = (xi: tf.Tensor2D, bi: tf.Tensor4D, d: DropoutContext) => this.layer(i, xi, bi, dims, d);
      const input = x;
      // One scope per layer: only what backprop saved outlives the layer.
      x = tf.tidy(() =>
        ckpt ? checkpointed(block, input, bias, this.layerParams(i), dropout) : block(input, bias, dropout),
      );
      input.dispose();
    }
    return x; // [batch·seq, hidden]
  }

  /** Every variable of encoder layer `i` (what its recomputation differentiates). */
  private layerParams(i: number): tf.Variable[] {
    const prefix = `${this.layerPrefix(i)}.`;
    return [...this.params].filter(([name]) => name.startsWith(prefix)).map(([, v]) => v);
  }

  forward(inputs: ModelInputs, opts: ForwardOptions = {}): tf.Tensor3D {
    if (this.disposed) throw new Error("forward() on a disposed model");
    const [batch, seq] = checkInputs(inputs, this.config);
    const seed = opts.training ? (opts.dropoutSeed ?? Math.floor(Math.random() * 0x7fffffff)) : undefined;
    return tf.tidy(() => {
      const dropout = new DropoutContext(seed);
      const hidden = this.encode(inputs, { batch, seq }, dropout);
      const dropped = dropout.apply(hidden, this.config.classifierDropout);
      const logits = linear(dropped, this.w("classifier.weight"), this.b("classifier.bias"));
      return tf.reshape(logits, [batch, seq, this.config.numLabels]) as tf.Tensor3D;
    });
  }

  namedWeights(): Map<string, tf.Variable> {
    return new Map(this.params);
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** Parameters in HF layout, keyed by HF name (what model.safetensors holds). */
  async stateDict(): Promise<Map<string, F32Tensor>> {
    const out = new Map<string, F32Tensor>();
    for (const spec of this.specs) {
      const data = (await this.params.get(spec.name)!.data()) as Float32Array;
      out.set(spec.name, { shape: [...spec.hfShape], data: toHfLayout(spec, data) });
    }
    return out;
  }

  async savePretrained(dir: string): Promise<void> {
    const weights = encodeSafetensors(await this.stateDict());
    fs.mkdirSync(dir, { recursive: true });
    // Weights first, config last: a directory with a config.json always has matching weights.
    writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights);
    writeFileAtomic(path.join(dir, CONFIG_FILE), JSON.stringify(configToHf(this.config), null, 2) + "\n");
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
  }

  /** A parameter used as a matrix (tfjs layout). */
  protected w(name: string): tf.Tensor2D {
    return this.param(name) as tf.Tensor2D;
  }

  /** A parameter used as a vector. */
  protected b(name: string): tf.Tensor1D {
    return this.param(name) as tf.Tensor1D;
  }

  /** The `weight` and `bias` of the linear layer `name`. */
  protected lin(name: string): LinearParams {
    return { w: this.w(`${name}.weight`), b: this.b(`${name}.bias`) };
  }

  /** `x @ w + b` with the linear layer `name`. */
  protected linear(name: string, x: tf.Tensor2D): tf.Tensor2D {
    return linear(x, this.w(`${name}.weight`), this.b(`${name}.bias`));
  }

  /** The LayerNorm `name` (its `weight` and `bias`, the config's eps) of `x`, or of `x + residual`. */
  protected layerNorm(name: string, x: tf.Tensor2D, residual?: tf.Tensor2D): tf.Tensor2D {
    const [gamma, beta, eps] = [this.b(`${name}.weight`), this.b(`${name}.bias`), this.config.layerNormEps];
    return residual ? addLayerNorm(x, residual, gamma, beta, eps) : layerNorm(x, gamma, beta, eps);
  }

  /** The config's activation (`hidden_act` / `activation`) of the linear layer `name` of `x`. */
  protected linearActivation(name: string, x: tf.Tensor2D): tf.Tensor2D {
    const act = this.config.activation;
    const { w, b } = this.lin(name);
    if (act === "gelu") return linearGelu(x, w, b); // one fused op on the native tier
    return (act === "gelu_new" ? geluNew(linear(x, w, b)) : tf.relu(linear(x, w, b))) as tf.Tensor2D;
  }

  private param(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`unknown parameter ${name}`);
    return v;
  }
}

/** Validate shapes/dtypes of model inputs; returns [batch, seq]. */
function checkInputs(inputs: ModelInputs, config: TokenClassificationConfig): [number, number] {
  const { inputIds, attentionMask, tokenTypeIds } = inputs;
  if (inputIds.rank !== 2) throw new Error(`inputIds must be [batch, seq], got shape [${inputIds.shape}]`);
  if (inputIds.dtype !== "int32") throw new Error(`inputIds must be int32, got ${inputIds.dtype}`);
  const [batch, seq] = inputIds.shape;
  const same = (t: tf.Tensor, what: string) => {
    if (t.rank !== 2 || t.shape[0] !== batch || t.shape[1] !== seq) {
      throw new Error(`${what} shape [${t.shape}] does not match inputIds [${inputIds.shape}]`);
    }
  };
  same(attentionMask, "attentionMask");
  if (tokenTypeIds) {
    same(tokenTypeIds, "tokenTypeIds");
    if (tokenTypeIds.dtype !== "int32") throw new Error(`tokenTypeIds must be int32, got ${tokenTypeIds.dtype}`);
  }
  if (seq > config.maxPositionEmbeddings) {
    throw new Error(`sequence length ${seq} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  if (batch === 0 || seq === 0) throw new Error(`empty input batch [${inputIds.shape}]`);
  return [batch, seq];
}
