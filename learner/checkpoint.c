/* checkpoint.c — training state <-> safetensors (see checkpoint.h). */
#include "checkpoint.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


static const char *act_name(ArcAct act)
{
    return act == ARC_ACT_RELU ? "relu" : act == ARC_ACT_SILU ? "silu" : "none";
}

char *arc_net_config_to_json(const ArcNetConfig *cfg)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "in_channels", cfg->in_channels);
    cJSON_AddNumberToObject(root, "in_h", cfg->in_h);
    cJSON_AddNumberToObject(root, "in_w", cfg->in_w);
    cJSON *conv = cJSON_AddArrayToObject(root, "conv");
    for (int i = 0; i < cfg->num_conv; i++) {
        cJSON *layer = cJSON_CreateArray();
        cJSON_AddItemToArray(layer, cJSON_CreateNumber(cfg->conv_channels[i]));
        cJSON_AddItemToArray(layer, cJSON_CreateNumber(cfg->conv_kernel[i]));
        cJSON_AddItemToArray(layer, cJSON_CreateBool(cfg->conv_same[i]));
        cJSON_AddItemToArray(conv, layer);
    }
    cJSON *dense = cJSON_AddArrayToObject(root, "dense");
    for (int i = 0; i < cfg->num_dense; i++)
        cJSON_AddItemToArray(dense, cJSON_CreateNumber(cfg->dense_width[i]));
    cJSON_AddNumberToObject(root, "k", cfg->k);
    cJSON_AddStringToObject(root, "act", act_name(cfg->act));
    cJSON_AddStringToObject(root, "head", cfg->head == ARC_HEAD_A3C ? "a3c" : "dqn");
    if (cfg->dueling) cJSON_AddBoolToObject(root, "dueling", true); /* absent: false */
    cJSON_AddNumberToObject(root, "actions", cfg->num_actions);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static bool get_int(const cJSON *obj, const char *key, int *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(item) || item->valuedouble != (int)item->valuedouble) return false;
    *out = (int)item->valuedouble;
    return true;
}

int arc_net_config_from_json(ArcNetConfig *cfg, const char *json, ArcErr *err)
{
    memset(cfg, 0, sizeof *cfg);
    cJSON *root = cJSON_Parse(json);
    const cJSON *conv = cJSON_GetObjectItemCaseSensitive(root, "conv");
    const cJSON *dense = cJSON_GetObjectItemCaseSensitive(root, "dense");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "k");
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "act");
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(root, "head");
    const cJSON *dueling = cJSON_GetObjectItemCaseSensitive(root, "dueling");
    bool ok = cJSON_IsObject(root) && get_int(root, "in_channels", &cfg->in_channels) &&
              get_int(root, "in_h", &cfg->in_h) && get_int(root, "in_w", &cfg->in_w) &&
              get_int(root, "actions", &cfg->num_actions) && cJSON_IsArray(conv) &&
              cJSON_IsArray(dense) && cJSON_IsNumber(k) && cJSON_IsString(act) &&
              cJSON_IsString(head) && (!dueling || cJSON_IsBool(dueling)) &&
              cJSON_GetArraySize(conv) <= ARC_NET_MAX_CONV &&
              cJSON_GetArraySize(dense) <= ARC_NET_MAX_DENSE;
    if (ok) {
        cfg->k = (float)k->valuedouble;
        cfg->act = !strcmp(act->valuestring, "relu")   ? ARC_ACT_RELU
                   : !strcmp(act->valuestring, "silu") ? ARC_ACT_SILU
                                                       : ARC_ACT_NONE;
        ok = strcmp(head->valuestring, "a3c") == 0 || strcmp(head->valuestring, "dqn") == 0;
        cfg->head = strcmp(head->valuestring, "a3c") == 0 ? ARC_HEAD_A3C : ARC_HEAD_DQN;
        cfg->dueling = cJSON_IsTrue(dueling);
    }
    const cJSON *layer, *conv_list = ok ? conv : NULL, *dense_list = ok ? dense : NULL;
    cJSON_ArrayForEach(layer, conv_list)
    {
        const cJSON *c = cJSON_GetArrayItem(layer, 0), *kk = cJSON_GetArrayItem(layer, 1),
                    *same = cJSON_GetArrayItem(layer, 2);
        ok = ok && cJSON_IsNumber(c) && cJSON_IsNumber(kk) && cJSON_IsBool(same);
        if (!ok) break;
        cfg->conv_channels[cfg->num_conv] = (int)c->valuedouble;
        cfg->conv_kernel[cfg->num_conv] = (int)kk->valuedouble;
        cfg->conv_same[cfg->num_conv] = cJSON_IsTrue(same);
        cfg->num_conv++;
    }
    cJSON_ArrayForEach(layer, dense_list)
    {
        ok = ok && cJSON_IsNumber(layer);
        if (!ok) break;
        cfg->dense_width[cfg->num_dense++] = (int)layer->valuedouble;
    }
    cJSON_Delete(root);
    if (!ok) return arc_err_set(err, ARC_ERR_FORMAT, "the network description is malformed: %.200s", json);
    ArcNetPlan plan;
    return arc_net_plan(&plan, cfg, err);
}

/* Adds slab (P) as one tensor per layer tensor, named prefix + "conv1.weight" etc. */
static void add_slab(ArcStWriter *w, const ArcNetPlan *plan, const char *prefix, const float *slab,
                     ArcErr *err)
{
    for (int i = 0; i < arc_net_num_tensors(plan); i++) {
        ArcNetTensor t = arc_net_tensor(plan, i);
        char name[64];
        snprintf(name, sizeof name, "%s%s", prefix, t.name);
        arc_st_writer_add(w, name, ARC_ST_F32, t.ndim, t.shape, slab + t.offset, err);
    }
}

int arc_checkpoint_save(const char *path, const ArcCheckpoint *ck, ArcErr *err)
{
    ArcNetPlan plan;
    ARC_CHECK(arc_net_plan(&plan, &ck->net, NULL) == ARC_OK, "saving an invalid network");
    ARC_CHECK(plan.num_params == ck->num_params, "%zu params for a net of %zu", ck->num_params,
              plan.num_params);
    ArcStWriter *w = arc_st_writer_init();
    add_slab(w, &plan, "", ck->params, err);
    if (ck->opt_m) add_slab(w, &plan, "opt_m.", ck->opt_m, err);
    if (ck->opt_v) add_slab(w, &plan, "opt_v.", ck->opt_v, err);
    if (ck->add_state) ck->add_state(ck->state_ctx, w, err);
    char *net = arc_net_config_to_json(&ck->net);
    arc_st_writer_meta(w, "arcade", "1", err);
    arc_st_writer_meta(w, "algo", ck->algo, err);
    arc_st_writer_meta(w, "game", ck->game, err);
    arc_st_writer_meta(w, "net", net, err);
    arc_st_writer_metaf(w, err, "frames", "%lld", (long long)ck->frames);
    arc_st_writer_metaf(w, err, "updates", "%lld", (long long)ck->updates);
    arc_st_writer_metaf(w, err, "episodes", "%lld", (long long)ck->episodes);
    arc_st_writer_metaf(w, err, "rollbacks", "%lld", (long long)ck->rollbacks);
    if (ck->config_ini) arc_st_writer_meta(w, "config", ck->config_ini, err);
    int status = arc_st_save(w, path, err);
    free(net);
    arc_st_writer_free(w);
    return status;
}

void arc_checkpoint_free(ArcCheckpoint *ck)
{
    free(ck->params);
    free(ck->opt_m);
    free(ck->opt_v);
    free(ck->config_ini);
    arc_st_free(ck->file);
    memset(ck, 0, sizeof *ck);
}

/* Reads the per-layer tensors prefix + "conv1.weight" ... into a new (P) slab. With
 * required false and no tensor of that prefix at all, *out stays NULL. */
static int load_slab(const ArcStFile *f, const ArcNetPlan *plan, const char *prefix,
                     bool required, float **out, ArcErr *err)
{
    char name[64];
    snprintf(name, sizeof name, "%s%s", prefix, arc_net_tensor(plan, 0).name);
    if (!required && !arc_st_tensor(f, name)) return ARC_OK;
    *out = arc_xmalloc(plan->num_params * sizeof(float));
    for (int i = 0; i < arc_net_num_tensors(plan); i++) {
        ArcNetTensor t = arc_net_tensor(plan, i);
        snprintf(name, sizeof name, "%s%s", prefix, t.name);
        int status = arc_st_copy_f32(f, name, t.ndim, t.shape, *out + t.offset, err);
        if (status) return status;
        for (size_t k = 0; k < t.count; k++)
            if (!isfinite((*out)[t.offset + k]))
                return arc_err_set(err, ARC_ERR_FORMAT,
                                   "%s: tensor '%s' holds a non-finite value (%g) at element %zu",
                                   arc_st_name(f), name, (double)(*out)[t.offset + k], k);
    }
    return ARC_OK;
}

static int copy_text(char *dst, size_t size, const ArcStFile *f, const char *key, ArcErr *err)
{
    const char *value = arc_st_metadata(f, key);
    if (!value) return arc_err_set(err, ARC_ERR_FORMAT, "%s: metadata has no '%s'", arc_st_name(f), key);
    if (strlen(value) >= size)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: metadata '%s' is too long", arc_st_name(f), key);
    strcpy(dst, value);
    return ARC_OK;
}

int arc_checkpoint_load(const char *path, ArcCheckpoint *ck, ArcErr *err)
{
    memset(ck, 0, sizeof *ck);
    ArcStFile *f = NULL;
    int status = arc_st_load(path, &f, err);
    if (status) return status;
    const char *net = arc_st_metadata(f, "net");
    ArcErr detail;
    if (!net) {
        status = arc_err_set(err, ARC_ERR_FORMAT, "%s: not an arcade checkpoint (no 'net' metadata)", path);
    } else if (arc_net_config_from_json(&ck->net, net, &detail)) {
        status = arc_err_set(err, ARC_ERR_FORMAT, "%s: %s", path, detail.msg);
    }
    if (!status) status = copy_text(ck->algo, sizeof ck->algo, f, "algo", err);
    if (!status) status = copy_text(ck->game, sizeof ck->game, f, "game", err);
    if (!status && strcmp(ck->algo, "a3c") != 0 && strcmp(ck->algo, "dqn") != 0)
        status = arc_err_set(err, ARC_ERR_FORMAT, "%s: algo '%s' is neither a3c nor dqn", path, ck->algo);
    if (!status) status = arc_st_metadata_i64(f, "frames", &ck->frames, err);
    if (!status) status = arc_st_metadata_i64(f, "updates", &ck->updates, err);
    if (!status) status = arc_st_metadata_i64(f, "episodes", &ck->episodes, err);
    if (!status && arc_st_metadata(f, "rollbacks"))
        status = arc_st_metadata_i64(f, "rollbacks", &ck->rollbacks, err);
    if (!status && ck->rollbacks < 0)
        status = arc_err_set(err, ARC_ERR_FORMAT, "%s: metadata 'rollbacks' is negative", path);
    ArcNetPlan plan;
    if (!status) {
        arc_net_plan(&plan, &ck->net, NULL);
        ck->num_params = plan.num_params;
        status = load_slab(f, &plan, "", true, &ck->params, err);
    }
    if (!status) status = load_slab(f, &plan, "opt_m.", false, &ck->opt_m, err);
    if (!status) status = load_slab(f, &plan, "opt_v.", false, &ck->opt_v, err);
    const char *config = arc_st_metadata(f, "config");
    if (!status && config) ck->config_ini = strdup(config);
    ck->file = f;
    if (status) arc_checkpoint_free(ck);
    return status;
}
