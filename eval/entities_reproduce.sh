#!/usr/bin/env bash
# The recipe behind eval/ENTITIES.md: every tagger it scores, trained from the corpora in ../shared,
# then the report (from the repository root; hours of CPU). eval/entities.py copies what follows
# the first blank line into the report's Reproduce section.
set -euo pipefail

extractor convert brat ../shared/corpora/chia runs/chia_train --corpus chia --split train
extractor train runs/chia_train runs/chia_ner_gold --config models/chia_ner_gold.cfg --seed 0 \
    --log runs/chia_ner_gold.log
extractor train runs/chia_train runs/chia_transformer --backend transformer \
    --config models/chia_transformer_random_batches.json --seed 0 --log runs/chia_transformer.log
extractor train runs/chia_train runs/chia_transformer_s1 --backend transformer \
    --config models/chia_transformer_random_batches.json --seed 1 --log runs/chia_transformer_s1.log
mkdir -p runs/chia_transformer_ensemble && echo '{"members": ["../chia_transformer", "../chia_transformer_s1"]}' \
    > runs/chia_transformer_ensemble/tagger.json
extractor convert brat ../shared/corpora/chia runs/chia_test --corpus chia --split test
extractor convert brat ../shared/corpora/lct runs/lct_train --corpus lct --split train
extractor convert brat ../shared/corpora/lct runs/lct_test --corpus lct --split test
extractor pretrain ../shared/corpora/ctgov/registry_sample.csv ../shared/corpora/ctgov/leukemia_trials.csv \
    runs/chia_train runs/lct_train runs/minilm_ctgov --id-field nct_id --text-field eligibility_criteria \
    --exclude runs/chia_test --exclude runs/lct_test --config models/ctgov_mlm.json --seed 0 --log runs/minilm_ctgov.log
extractor train runs/chia_train runs/chia_transformer_dapt --backend transformer --base-model runs/minilm_ctgov \
    --config models/chia_transformer_random_batches.json --seed 0 --log runs/chia_transformer_dapt.log
mkdir -p runs/chia_transformer_ensemble3 && echo '{"members": ["../chia_transformer", "../chia_transformer_s1", \
    "../chia_transformer_dapt"]}' > runs/chia_transformer_ensemble3/tagger.json
extractor train runs/chia_train runs/chia_transformer_s2 --backend transformer \
    --config models/chia_transformer.json --seed 2 --log runs/chia_transformer_s2.log
mkdir -p runs/chia_transformer_ensemble4 && echo '{"members": ["../chia_transformer", "../chia_transformer_s1", \
    "../chia_transformer_dapt", "../chia_transformer_s2"]}' > runs/chia_transformer_ensemble4/tagger.json
extractor train runs/chia_train runs/chia_full_s0 --backend transformer --config models/chia_transformer.json \
    --dev-fraction 0 --threads 1 --seed 0 --log runs/chia_full_s0.log
extractor train runs/chia_train runs/chia_full_s1 --backend transformer --config models/chia_transformer.json \
    --dev-fraction 0 --threads 1 --seed 1 --log runs/chia_full_s1.log
extractor train runs/chia_train runs/chia_full_s2 --backend transformer --config models/chia_transformer.json \
    --dev-fraction 0 --threads 1 --seed 2 --log runs/chia_full_s2.log
extractor train runs/chia_train runs/chia_full_dapt --backend transformer --base-model runs/minilm_ctgov \
    --config models/chia_transformer.json --dev-fraction 0 --threads 1 --seed 0 --log runs/chia_full_dapt.log
mkdir -p runs/chia_full_ensemble4 && echo '{"members": ["../chia_full_s0", "../chia_full_s1", "../chia_full_dapt", \
    "../chia_full_s2"]}' > runs/chia_full_ensemble4/tagger.json
extractor pseudolabel ../shared/corpora/ctgov/registry_sample.csv runs/silver8k \
    --model runs/chia_transformer_ensemble4 --limit 8000 --exclude runs/chia_train --exclude runs/chia_test \
    --exclude runs/lct_test --id-field nct_id --text-field eligibility_criteria --seed 0 --log runs/silver8k.log
extractor train runs/chia_train runs/chia_selftrain_s0 --silver runs/silver8k --backend transformer \
    --config models/chia_transformer.json --threads 1 --seed 0 --log runs/chia_selftrain_s0.log
extractor train runs/chia_train runs/chia_selftrain_dapt --silver runs/silver8k --backend transformer \
    --base-model runs/minilm_ctgov --config models/chia_transformer.json --threads 1 --seed 0 \
    --log runs/chia_selftrain_dapt.log
mkdir -p runs/chia_selftrain_ensemble2 && echo '{"members": ["../chia_selftrain_s0", "../chia_selftrain_dapt"]}' \
    > runs/chia_selftrain_ensemble2/tagger.json
mkdir -p runs/chia_selftrain_ensemble6 && echo '{"members": ["../chia_transformer", "../chia_transformer_s1", \
    "../chia_transformer_dapt", "../chia_transformer_s2", "../chia_selftrain_s0", "../chia_selftrain_dapt"]}' \
    > runs/chia_selftrain_ensemble6/tagger.json
extractor pseudolabel ../shared/corpora/ctgov/registry_sample.csv runs/silver16k \
    --model runs/chia_transformer_ensemble4 --limit 16000 --exclude runs/chia_train --exclude runs/chia_test \
    --exclude runs/lct_test --id-field nct_id --text-field eligibility_criteria --seed 1 --log runs/silver16k.log
extractor train runs/chia_train runs/chia_ner_selftrain24 --silver runs/silver8k --silver runs/silver16k \
    --config models/chia_ner_gold.cfg --seed 0 --log runs/chia_ner_selftrain24.log
extractor train runs/chia_train runs/chia_selftrain24_s0 --silver runs/silver8k --silver runs/silver16k \
    --backend transformer --config models/chia_transformer_selftrain.json --threads 1 --seed 0 \
    --log runs/chia_selftrain24_s0.log
extractor train runs/chia_train runs/chia_selftrain24_dapt --silver runs/silver8k --silver runs/silver16k \
    --backend transformer --base-model runs/minilm_ctgov --config models/chia_transformer_selftrain.json \
    --threads 1 --seed 0 --log runs/chia_selftrain24_dapt.log
mkdir -p runs/chia_selftrain24_ensemble2 && echo '{"members": ["../chia_selftrain24_s0", \
    "../chia_selftrain24_dapt"]}' > runs/chia_selftrain24_ensemble2/tagger.json
mkdir -p runs/chia_selftrain_ensemble5 && echo '{"members": ["../chia_transformer", "../chia_transformer_s1", \
    "../chia_transformer_dapt", "../chia_transformer_s2", "../chia_selftrain24_dapt"]}' \
    > runs/chia_selftrain_ensemble5/tagger.json
extractor pseudolabel ../shared/corpora/ctgov/registry_sample.csv runs/silver40k \
    --model runs/chia_transformer_ensemble4 --limit 40000 --exclude runs/chia_train --exclude runs/chia_test \
    --exclude runs/lct_test --skip-drawn runs/silver8k --skip-drawn runs/silver16k --id-field nct_id \
    --text-field eligibility_criteria --seed 2 --log runs/silver40k.log
extractor train runs/chia_train runs/chia_selftrain64_dapt --silver runs/silver8k --silver runs/silver16k \
    --silver runs/silver40k --backend transformer --base-model runs/minilm_ctgov \
    --config models/chia_transformer_selftrain64.json --threads 2 --seed 0 --log runs/chia_selftrain64_dapt.log
extractor train runs/chia_train models/chia_ner --silver runs/silver8k --silver runs/silver16k \
    --silver runs/silver40k --config models/chia_ner.cfg --seed 0 --log runs/chia_ner.log
for m in chia_selftrain24_dapt chia_selftrain24_ensemble2 chia_selftrain_ensemble5; do
    mkdir -p runs/${m}_tuned && python -c "import json; d = json.load(open('runs/$m/tagger.json')); \
print(json.dumps({'members': d.get('members', ['../$m'])}))" > runs/${m}_tuned/tagger.json
    extractor tune runs/${m}_tuned runs/chia_train --log runs/${m}_tuned.log
done
python eval/entities.py --chia-test runs/chia_test --chia-train runs/chia_train --spacy runs/chia_ner_gold \
    --spacy runs/chia_ner_selftrain24 --transformer runs/chia_transformer \
    --transformer runs/chia_transformer_dapt --transformer runs/chia_transformer_s2 \
    --transformer runs/chia_transformer_ensemble --transformer runs/chia_transformer_ensemble3 \
    --transformer runs/chia_transformer_ensemble4 --transformer runs/chia_full_s0 \
    --transformer runs/chia_full_ensemble4 --transformer runs/chia_selftrain_s0 \
    --transformer runs/chia_selftrain_dapt --transformer runs/chia_selftrain_ensemble2 \
    --transformer runs/chia_selftrain_ensemble6 --transformer runs/chia_selftrain24_s0 \
    --transformer runs/chia_selftrain24_dapt --transformer runs/chia_selftrain24_ensemble2 \
    --transformer runs/chia_selftrain_ensemble5 --transformer runs/chia_selftrain64_dapt \
    --transformer runs/chia_selftrain24_dapt_tuned --transformer runs/chia_selftrain24_ensemble2_tuned \
    --transformer runs/chia_selftrain_ensemble5_tuned
