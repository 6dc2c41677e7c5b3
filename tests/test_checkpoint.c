/* test_checkpoint.c — training checkpoints: round trip, per-layer tensors, clear errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/safetensors.h"
#include "../learner/checkpoint.h"

static char path[64];

static ArcCheckpoint make_checkpoint(float k, bool with_moments)
{
    ArcCheckpoint ck = {.frames = 123456, .updates = 789, .episodes = 42, .rollbacks = 2};
    arc_net_config_minatar(&ck.net, 7, ARC_HEAD_A3C, k);
    ArcNetPlan plan;
    cr_assert_eq(arc_net_plan(&plan, &ck.net, NULL), ARC_OK);
    ck.num_params = plan.num_params;
    ck.params = malloc(plan.num_params * sizeof(float));
    for (size_t i = 0; i < plan.num_params; i++) ck.params[i] = (float)i * 0.001f - 3.0f;
    if (with_moments) {
        ck.opt_v = malloc(plan.num_params * sizeof(float));
        for (size_t i = 0; i < plan.num_params; i++) ck.opt_v[i] = (float)(i % 97) * 1e-6f;
    }
    strcpy(ck.algo, "a3c");
    strcpy(ck.game, "freeway");
    ck.config_ini = strdup("[train]\ngame = freeway\n");
    return ck;
}

static void temp_path(void)
{
    strcpy(path, "/tmp/arcade-ckpt-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
}

Test(checkpoint, round_trip_keeps_everything)
{
    temp_path();
    ArcCheckpoint a = make_checkpoint(0.5f, true), b;
    ArcErr err;
    cr_assert_eq(arc_checkpoint_save(path, &a, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(arc_checkpoint_load(path, &b, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(memcmp(&a.net, &b.net, sizeof a.net), 0, "network description differs");
    cr_assert_eq(b.num_params, a.num_params);
    cr_assert_eq(memcmp(a.params, b.params, a.num_params * sizeof(float)), 0);
    cr_assert_eq(memcmp(a.opt_v, b.opt_v, a.num_params * sizeof(float)), 0);
    cr_assert_null(b.opt_m);
    cr_assert_eq(b.frames, 123456);
    cr_assert_eq(b.updates, 789);
    cr_assert_eq(b.episodes, 42);
    cr_assert_eq(b.rollbacks, 2);
    cr_assert_str_eq(b.algo, "a3c");
    cr_assert_str_eq(b.game, "freeway");
    cr_assert_str_eq(b.config_ini, a.config_ini);
    arc_checkpoint_free(&a);
    arc_checkpoint_free(&b);
    unlink(path);
}

Test(checkpoint, tensors_are_named_per_layer)
{
    temp_path();
    ArcCheckpoint a = make_checkpoint(1.0f, true);
    ArcErr err;
    cr_assert_eq(arc_checkpoint_save(path, &a, &err), ARC_OK, "%s", err.msg);
    ArcStFile *f;
    cr_assert_eq(arc_st_load(path, &f, &err), ARC_OK, "%s", err.msg);
    const ArcStTensor *w = arc_st_tensor(f, "conv1.weight");
    cr_assert_not_null(w);
    cr_assert_eq(w->ndim, 4);
    cr_assert(w->shape[0] == 16 && w->shape[1] == 3 && w->shape[2] == 3 && w->shape[3] == 7);
    cr_assert_not_null(arc_st_tensor(f, "dense1.weight"));
    cr_assert_not_null(arc_st_tensor(f, "opt_v.head.bias"));
    cr_assert_eq(((const float *)arc_st_tensor(f, "conv1.weight")->data)[0], a.params[0]);
    arc_st_free(f);
    arc_checkpoint_free(&a);
    unlink(path);
}

Test(checkpoint, a_tensor_of_the_wrong_shape_is_rejected)
{
    temp_path();
    ArcCheckpoint a = make_checkpoint(1.0f, false);
    ArcErr err;
    /* claim a wider network than the tensors hold */
    ArcStWriter *w = arc_st_writer_init();
    int64_t shape[2] = {128, 1024};
    arc_st_writer_add(w, "conv1.weight", ARC_ST_F32, 2, shape, a.params, &err);
    char *net = arc_net_config_to_json(&a.net);
    arc_st_writer_meta(w, "net", net, &err);
    arc_st_writer_meta(w, "algo", "a3c", &err);
    arc_st_writer_meta(w, "game", "freeway", &err);
    arc_st_writer_meta(w, "frames", "0", &err);
    arc_st_writer_meta(w, "updates", "0", &err);
    arc_st_writer_meta(w, "episodes", "0", &err);
    cr_assert_eq(arc_st_save(w, path, &err), ARC_OK, "%s", err.msg);
    arc_st_writer_free(w);
    free(net);
    ArcCheckpoint b;
    cr_assert_neq(arc_checkpoint_load(path, &b, &err), ARC_OK);
    cr_assert(strstr(err.msg, "conv1.weight"), "%s", err.msg);
    cr_assert_null(b.params);
    arc_checkpoint_free(&a);
    unlink(path);
}

/* Files from before `rollbacks` existed load with 0; a negative count is refused. */
Test(checkpoint, rollbacks_absent_is_zero_and_negative_is_refused)
{
    temp_path();
    ArcCheckpoint a = make_checkpoint(1.0f, true), b;
    ArcErr err;
    cr_assert_eq(arc_checkpoint_save(path, &a, &err), ARC_OK, "%s", err.msg);
    ArcStFile *f;
    cr_assert_eq(arc_st_load(path, &f, &err), ARC_OK, "%s", err.msg);
    for (int negative = 0; negative < 2; negative++) {
        /* the same tensors and metadata, with rollbacks left out or made negative */
        ArcStWriter *w = arc_st_writer_init();
        for (int i = 0; i < arc_st_count(f); i++) {
            const ArcStTensor *t = arc_st_tensor_at(f, i);
            arc_st_writer_add(w, t->name, t->dtype, t->ndim, t->shape, t->data, &err);
        }
        const char *keys[] = {"arcade", "algo", "game", "net", "frames", "updates", "episodes"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            arc_st_writer_meta(w, keys[k], arc_st_metadata(f, keys[k]), &err);
        if (negative) arc_st_writer_meta(w, "rollbacks", "-1", &err);
        char other[80];
        snprintf(other, sizeof other, "%s.b", path);
        cr_assert_eq(arc_st_save(w, other, &err), ARC_OK, "%s", err.msg);
        arc_st_writer_free(w);
        int status = arc_checkpoint_load(other, &b, &err);
        if (negative) {
            cr_assert_eq(status, ARC_ERR_FORMAT);
            cr_assert(strstr(err.msg, "metadata 'rollbacks' is negative") && strstr(err.msg, other),
                      "%s", err.msg);
        } else {
            cr_assert_eq(status, ARC_OK, "%s", err.msg);
            cr_assert_eq(b.rollbacks, 0);
            arc_checkpoint_free(&b);
        }
        unlink(other);
    }
    arc_st_free(f);
    arc_checkpoint_free(&a);
    unlink(path);
}

Test(checkpoint, a_plain_safetensors_file_is_not_a_checkpoint)
{
    temp_path();
    ArcStWriter *w = arc_st_writer_init();
    float x[3] = {1, 2, 3};
    int64_t shape[1] = {3};
    ArcErr err;
    arc_st_writer_add(w, "x", ARC_ST_F32, 1, shape, x, &err);
    cr_assert_eq(arc_st_save(w, path, &err), ARC_OK, "%s", err.msg);
    arc_st_writer_free(w);
    ArcCheckpoint b;
    cr_assert_neq(arc_checkpoint_load(path, &b, &err), ARC_OK);
    cr_assert(strstr(err.msg, "not an arcade checkpoint"), "%s", err.msg);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    unlink(path);
}

Test(checkpoint, network_description_round_trips_and_rejects_garbage)
{
    ArcNetConfig cfg, back;
    arc_net_config_minatar(&cfg, 10, ARC_HEAD_DQN, 2.0f);
    cfg.act = ARC_ACT_SILU;
    char *json = arc_net_config_to_json(&cfg);
    ArcErr err;
    cr_assert_eq(arc_net_config_from_json(&back, json, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(memcmp(&cfg, &back, sizeof cfg), 0);
    cr_assert_null(strstr(json, "dueling"), "a plain head writes no dueling key: %s", json);
    free(json);
    cfg.dueling = true;
    json = arc_net_config_to_json(&cfg);
    cr_assert_eq(arc_net_config_from_json(&back, json, &err), ARC_OK, "%s", err.msg);
    cr_assert(back.dueling);
    cr_assert_eq(memcmp(&cfg, &back, sizeof cfg), 0);
    char bad[1024];
    const char *key = "\"dueling\":true";
    char *at = strstr(json, key);
    cr_assert_not_null(at, "%s", json);
    snprintf(bad, sizeof bad, "%.*s\"dueling\":\"yes\"%s", (int)(at - json), json, at + strlen(key));
    cr_assert_neq(arc_net_config_from_json(&back, bad, &err), ARC_OK, "dueling must be a boolean: %s", bad);
    free(json);
    cr_assert_neq(arc_net_config_from_json(&back, "{\"conv\": 3}", &err), ARC_OK);
    cr_assert(strstr(err.msg, "malformed"), "%s", err.msg);
    cr_assert_neq(arc_net_config_from_json(&back, "not json", &err), ARC_OK);
}

Test(checkpoint, non_finite_weights_are_rejected)
{
    temp_path();
    ArcCheckpoint a = make_checkpoint(0.25f, true), b;
    a.params[a.num_params - 1] = NAN;
    ArcErr err;
    cr_assert_eq(arc_checkpoint_save(path, &a, &err), ARC_OK, "%s", err.msg);
    cr_assert_neq(arc_checkpoint_load(path, &b, &err), ARC_OK);
    cr_assert(strstr(err.msg, "tensor 'head.bias' holds a non-finite value (nan)"), "%s", err.msg);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    a.params[a.num_params - 1] = 0;
    a.opt_v[3] = INFINITY;
    cr_assert_eq(arc_checkpoint_save(path, &a, &err), ARC_OK, "%s", err.msg);
    cr_assert_neq(arc_checkpoint_load(path, &b, &err), ARC_OK);
    cr_assert(strstr(err.msg, "tensor 'opt_v.conv1.weight' holds a non-finite value (inf)"), "%s", err.msg);
    arc_checkpoint_free(&a);
    unlink(path);
}
