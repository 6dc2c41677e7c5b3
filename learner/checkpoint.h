/* checkpoint.h — a model with its optimizer state, counters and run configuration, as
 * one safetensors file (common/safetensors.h: atomic writes, validated loads).
 *
 * Tensors (F32): the parameters, one tensor per layer weight and bias named as in
 * kernels/net.h ("conv1.weight" (O, k, k, I) channels-last, "conv1.bias", "dense1.weight"
 * (O, I), ..., "head.bias"), and for training checkpoints the optimizer moments under the
 * same names prefixed "opt_v." and, with centered RMSProp or Adam, "opt_m.". In the file
 * they lie in the slab order of the net's layout, so each group is one contiguous slab.
 * Metadata (all strings): "format" "pt", "arcade" "1", "algo" (a3c|dqn), "game",
 * "net" (the network description as JSON: input channels and size, conv layers
 * [channels, kernel, same], dense widths, k, activation, head, actions), "frames",
 * "updates", "episodes" (decimal integers) and "config" (the run's config.ini text).
 * A training run may add its own state after these (env/snapshot.h: streams and envs).
 * NumPy/PyTorch users can read it with any safetensors reader.
 */
#ifndef ARC_CHECKPOINT_H
#define ARC_CHECKPOINT_H

#include "../common/safetensors.h"
#include "../kernels/net.h"

typedef struct ArcCheckpoint {
    ArcNetConfig net;
    char algo[8];
    char game[32];
    int64_t frames, updates, episodes;
    int64_t rollbacks;            /* numerical-fault rollbacks so far (0 when absent: older files) */
    size_t num_params;            /* P, from the net description */
    float *params;                /* (P) */
    float *opt_m;                 /* (P) or NULL */
    float *opt_v;                 /* (P) or NULL */
    char *config_ini;             /* or NULL */
    /* save: adds run state (streams, envs) after the slabs; may be NULL */
    void (*add_state)(void *ctx, ArcStWriter *w, ArcErr *err);
    void *state_ctx;
    /* load: the file itself, to read such state (arc_st_tensor, arc_st_copy) */
    ArcStFile *file;
} ArcCheckpoint;

/* Writes ck atomically (temporary file, fsync, rename). The pointers in ck are only read.
 * num_params must match the net description. */
int arc_checkpoint_save(const char *path, const ArcCheckpoint *ck, ArcErr *err);

/* Reads and checks path: every tensor's shape against the net description, every
 * parameter and moment finite, known algo, integer counters. On success ck owns its buffers (arc_checkpoint_free); on failure ck
 * is empty and err names the file and the problem. */
int arc_checkpoint_load(const char *path, ArcCheckpoint *ck, ArcErr *err);
void arc_checkpoint_free(ArcCheckpoint *ck);

/* The network description as JSON text (caller frees) and back. */
char *arc_net_config_to_json(const ArcNetConfig *cfg);
int arc_net_config_from_json(ArcNetConfig *cfg, const char *json, ArcErr *err);

#endif
