/* snapshot.c — envs and streams as checkpoint tensors (see snapshot.h). */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

enum { INFO_LAST_ACTION, INFO_TERMINAL, INFO_TRUNCATED, INFO_STEPS, INFO_RETURN, INFO_FIELDS };

static void rng_to_words(const ArcRng *rng, uint32_t *words)
{
    memcpy(words, rng->state, sizeof rng->state);
    words[ARC_MT_N] = (uint32_t)rng->index;
}

static void words_to_rng(const uint32_t *words, ArcRng *rng)
{
    memcpy(rng->state, words, sizeof rng->state);
    rng->index = (int)(words[ARC_MT_N] > ARC_MT_N ? ARC_MT_N : words[ARC_MT_N]);
}

void arc_env_snapshot_init(ArcEnvSnapshot *snap, int num_envs)
{
    snap->num_envs = num_envs;
    snap->rng = arc_xmalloc((size_t)num_envs * ARC_RNG_WORDS * sizeof(uint32_t));
    snap->info = arc_xmalloc((size_t)num_envs * INFO_FIELDS * sizeof(int64_t));
    snap->levels = arc_xmalloc((size_t)num_envs * sizeof(uint32_t));
}

void arc_env_snapshot_free(ArcEnvSnapshot *snap)
{
    free(snap->rng);
    free(snap->info);
    free(snap->levels);
    memset(snap, 0, sizeof *snap);
}

static void tensor_name(char *buf, size_t size, const char *prefix, const char *what)
{
    snprintf(buf, size, "%s.%s", prefix, what);
}

void arc_env_snapshot_add(ArcEnvSnapshot *snap, ArcStWriter *w, const char *prefix,
                          const ArcVecEnv *vec, const uint8_t *obs, ArcErr *err)
{
    const int N = vec->num_envs;
    ARC_CHECK(N == snap->num_envs, "snapshot of %d envs for a batch of %d", snap->num_envs, N);
    for (int i = 0; i < N; i++) {
        const ArcEnv *env = &vec->envs[i];
        rng_to_words(&env->rng, snap->rng + (size_t)i * ARC_RNG_WORDS);
        int64_t *info = snap->info + (size_t)i * INFO_FIELDS;
        info[INFO_LAST_ACTION] = env->last_action;
        info[INFO_TERMINAL] = env->terminal;
        info[INFO_TRUNCATED] = env->truncated;
        info[INFO_STEPS] = env->steps;
        info[INFO_RETURN] = env->episode_return;
        snap->levels[i] = env->level;
    }
    char name[128];
    int64_t states[2] = {N, (int64_t)vec->state_stride}, rng[2] = {N, ARC_RNG_WORDS},
            info[2] = {N, INFO_FIELDS}, shown[4] = {N, vec->game->channels, ARC_GRID, ARC_GRID};
    tensor_name(name, sizeof name, prefix, "states");
    arc_st_writer_add(w, name, ARC_ST_U8, 2, states, vec->states, err);
    tensor_name(name, sizeof name, prefix, "rng");
    arc_st_writer_add(w, name, ARC_ST_U32, 2, rng, snap->rng, err);
    tensor_name(name, sizeof name, prefix, "info");
    arc_st_writer_add(w, name, ARC_ST_I64, 2, info, snap->info, err);
    tensor_name(name, sizeof name, prefix, "obs");
    arc_st_writer_add(w, name, ARC_ST_U8, 4, shown, obs, err);
    if (!arc_vec_env_has_levels(vec)) return;
    int64_t levels[1] = {N}, level_rng[1] = {ARC_RNG_WORDS};
    tensor_name(name, sizeof name, prefix, "levels");
    arc_st_writer_add(w, name, ARC_ST_U32, 1, levels, snap->levels, err);
    rng_to_words(&vec->level_rng, snap->level_rng);
    tensor_name(name, sizeof name, prefix, "level_rng");
    arc_st_writer_add(w, name, ARC_ST_U32, 1, level_rng, snap->level_rng, err);
}

/* The level state of a batch in level mode; an error when the file and the batch
 * disagree on level mode. */
static int restore_levels(const ArcStFile *f, const char *prefix, ArcVecEnv *vec,
                          ArcEnvSnapshot *snap, ArcErr *err)
{
    char name[128];
    tensor_name(name, sizeof name, prefix, "levels");
    bool saved = arc_st_tensor(f, name) != NULL;
    if (saved != arc_vec_env_has_levels(vec))
        return arc_err_set(err, ARC_ERR_FORMAT,
                           saved ? "%s: tensor '%s' holds the envs of a run with levels, and "
                                   "this run has train_levels = off"
                                 : "%s: no tensor '%s': the envs were saved by a run without "
                                   "levels, and this run has levels",
                           arc_st_name(f), name);
    if (!saved) return ARC_OK;
    int64_t levels[1] = {vec->num_envs}, level_rng[1] = {ARC_RNG_WORDS};
    int status = arc_st_copy(f, name, ARC_ST_U32, 1, levels, snap->levels, err);
    tensor_name(name, sizeof name, prefix, "level_rng");
    if (!status) status = arc_st_copy(f, name, ARC_ST_U32, 1, level_rng, snap->level_rng, err);
    if (status) return status;
    words_to_rng(snap->level_rng, &vec->level_rng);
    for (int i = 0; i < vec->num_envs; i++) arc_env_set_level(&vec->envs[i], snap->levels[i]);
    return ARC_OK;
}

int arc_env_snapshot_restore(const ArcStFile *f, const char *prefix, ArcVecEnv *vec,
                             uint8_t *obs, ArcErr *err)
{
    const int N = vec->num_envs;
    char name[128];
    int64_t states[2] = {N, (int64_t)vec->state_stride}, rng[2] = {N, ARC_RNG_WORDS},
            info[2] = {N, INFO_FIELDS}, shown[4] = {N, vec->game->channels, ARC_GRID, ARC_GRID};
    ArcEnvSnapshot snap;
    arc_env_snapshot_init(&snap, N);
    tensor_name(name, sizeof name, prefix, "states");
    int status = arc_st_copy(f, name, ARC_ST_U8, 2, states, vec->states, err);
    tensor_name(name, sizeof name, prefix, "rng");
    if (!status) status = arc_st_copy(f, name, ARC_ST_U32, 2, rng, snap.rng, err);
    tensor_name(name, sizeof name, prefix, "info");
    if (!status) status = arc_st_copy(f, name, ARC_ST_I64, 2, info, snap.info, err);
    tensor_name(name, sizeof name, prefix, "obs");
    if (!status) status = arc_st_copy(f, name, ARC_ST_U8, 4, shown, obs, err);
    if (!status) status = restore_levels(f, prefix, vec, &snap, err);
    for (int i = 0; !status && i < N; i++) {
        ArcEnv *env = &vec->envs[i];
        const int64_t *in = snap.info + (size_t)i * INFO_FIELDS;
        words_to_rng(snap.rng + (size_t)i * ARC_RNG_WORDS, &env->rng);
        env->last_action = (int)(in[INFO_LAST_ACTION] >= 0 && in[INFO_LAST_ACTION] < ARC_NUM_ACTIONS
                                     ? in[INFO_LAST_ACTION] : 0);
        env->terminal = in[INFO_TERMINAL] != 0;
        env->truncated = in[INFO_TRUNCATED] != 0;
        env->steps = in[INFO_STEPS];
        env->episode_return = in[INFO_RETURN];
    }
    arc_env_snapshot_free(&snap);
    return status;
}

void arc_rng_snapshot_add(ArcStWriter *w, const char *name, const ArcRng *rng, uint32_t *words,
                          ArcErr *err)
{
    rng_to_words(rng, words);
    int64_t shape[1] = {ARC_RNG_WORDS};
    arc_st_writer_add(w, name, ARC_ST_U32, 1, shape, words, err);
}

int arc_rng_snapshot_restore(const ArcStFile *f, const char *name, ArcRng *rng, ArcErr *err)
{
    uint32_t words[ARC_RNG_WORDS];
    int64_t shape[1] = {ARC_RNG_WORDS};
    int status = arc_st_copy(f, name, ARC_ST_U32, 1, shape, words, err);
    if (!status) words_to_rng(words, rng);
    return status;
}
