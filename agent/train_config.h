/* train_config.h — the complete configuration of a training run, from three sources in
 * increasing priority: built-in defaults, an INI file (`--config FILE`), command-line
 * flags. One table of keys drives all three and the `config.ini` written into every run
 * directory, so a run's config.ini loaded with --config reproduces the run.
 *
 * Every bad value is reported as one line naming where it came from and what was
 * expected: "arcade train: --lr must be in ...", "my.ini:7: unknown key 'lrr' ...". */
#ifndef ARC_TRAIN_CONFIG_H
#define ARC_TRAIN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/check.h"

typedef struct ArcTrainConfig {
    char algo[8];            /* a3c | dqn */
    char game[32];
    int64_t frames;          /* agent steps of all actors together */
    int64_t threads;         /* actor threads T */
    int64_t envs_per_thread; /* N */
    int64_t rollout;         /* n-step length */
    double lr;
    char lr_schedule[16];    /* constant | linear (to 0 at `frames`) */
    int64_t lr_warmup;       /* updates of a linear ramp to lr: update u uses (u+1)/W of it */
    double gamma;
    double entropy;          /* entropy bonus coefficient (at frame 0) */
    double entropy_end;      /* coefficient at `frames`, linear in between */
    double value_coef;       /* value-loss coefficient */
    double clip;             /* global gradient-norm clip; 0 disables */
    double rms_alpha;        /* RMSProp squared-gradient decay */
    double rms_eps;          /* the optimizer's epsilon (RMSProp or Adam) */
    char optimizer[16];      /* dqn: rmsprop (centered) | adam */
    double k;                /* network width multiplier */
    char device[8];          /* cpu | gpu */
    int64_t seed;
    char out[512];           /* run directory; "" until arc_train_config_finish */
    int64_t checkpoint_every;/* frames between checkpoints; 0: only the final one */
    int64_t checkpoint_log;  /* P > 0: also at round(10^(j/P)) frames >= 1000 (log-spaced) */
    char update[16];         /* hogwild | locked */
    bool sync;               /* deterministic synchronous (A2C-style) updates */
    char learner[16];        /* a3c: async (actors apply gradients) | batched (one learner
                                trains on the actors' rollouts with V-trace) */
    double sticky;           /* sticky-action probability */
    int64_t train_levels;    /* ARC_LEVELS_OFF (0), N > 0 or ARC_LEVELS_INF (env/level.h) */
    char variant[16];        /* standard | procedural (env/game.h) */
    char dist[16];           /* across MPI ranks: allreduce | ps (learner/dist_learner.h) */
    int64_t dist_check_every;/* updates between cross-rank parameter checks; 0: never */
    /* DQN */
    char preset[16];         /* none | minatar */
    int64_t batch;           /* minibatch size */
    int64_t replay;          /* replay capacity (transitions) */
    int64_t target_every;    /* learner updates between target-network copies */
    int64_t learn_start;     /* frames of uniform-random play before learning */
    double eps_start, eps_end;
    int64_t eps_frames;      /* frames over which epsilon falls, after learn_start */
    double replay_ratio;     /* learner updates per frame */
    int64_t n_step;
    bool double_dqn;
    bool dueling;            /* dueling head: Q = V + A - mean(A) */
    bool prioritized;
    double per_alpha, per_beta;
    double huber;            /* Huber loss threshold */
    int64_t actor_sync;      /* learner updates between actor parameter refreshes */
    /* numerical faults */
    char on_nonfinite[16];   /* stop | rollback */
    int64_t max_rollbacks;   /* rollbacks before a fault stops the run anyway */
    uint64_t explicit_keys;  /* bit i: key i was set by a file or a flag */
} ArcTrainConfig;

void arc_train_config_defaults(ArcTrainConfig *cfg);

/* Applies key = value pairs from an INI file (no sections needed; a [train] section is
 * accepted). Unknown keys and bad values are errors naming path:line. */
int arc_train_config_load(ArcTrainConfig *cfg, const char *path, ArcErr *err);

/* Sets one key from text exactly as a config-file line `name = text` would (names may
 * use '_' for '-'). Errors (no location prefix): "unknown key 'x'", "lr expects a number,
 * got 'x'", ... Callers add "file:line: ". */
int arc_train_config_set(ArcTrainConfig *cfg, const char *name, const char *text, ArcErr *err);

/* The table's spelling of a key ("envs-per-thread" for "envs_per_thread"), NULL if unknown. */
const char *arc_train_config_key_name(const char *name);

/* arc_train_config_load for config.ini text held in memory (a checkpoint's "config");
 * name stands for the path in messages. */
int arc_train_config_load_text(ArcTrainConfig *cfg, const char *text, const char *name,
                               ArcErr *err);

/* Parses argv[1..argc) of `arcade train`: --config FILE is applied first, then every
 * other flag on top of it. Returns ARC_OK, or ARC_ERR_ARG with the message in err, or 1
 * when --help was printed (to out). */
int arc_train_config_parse_args(ArcTrainConfig *cfg, int argc, char **argv, FILE *help_out,
                                ArcErr *err);

/* Cross-field checks (the game exists, a preset fits the algorithm) and derived values:
 * keys left at their defaults take the algorithm's own defaults (DQN: MinAtar's DQN,
 * spec §5.1: lr 2.5e-4, centered RMSProp decay 0.95 and epsilon 0.01, one actor with
 * one env, no gradient clipping), and an empty out becomes runs/<game>-<algo>. One
 * message for the first problem. */
int arc_train_config_finish(ArcTrainConfig *cfg, ArcErr *err);

/* The first frame count after `frames` at which a checkpoint is due under
 * checkpoint_every and checkpoint_log together (the earlier of the two), or 0 when
 * neither schedules one. Trainers checkpoint at the first frame count they reach at or
 * past it, so names are frames-<actual frames>. */
int64_t arc_train_config_next_checkpoint(const ArcTrainConfig *cfg, int64_t frames);

/* Writes every key as `name = value` lines, loadable with arc_train_config_load. */
void arc_train_config_write(const ArcTrainConfig *cfg, FILE *out);

#endif
