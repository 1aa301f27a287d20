/*
 * Randomized fuzzer for the reply decoder, the field parser and the launch file parser, built
 * with AddressSanitizer and UBSan. With clang, build it with -fsanitize=fuzzer to use libFuzzer's engine instead
 * (define HPCS_LIBFUZZER); without, main() feeds random and mutated inputs from a fixed seed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcs_launch.h"
#include "hpcs_proto.h"

/* A parsed launch file has 1..max prefix elements, an absolute first one and a NULL after. */
static void check_launch(char *copy, size_t size)
{
	struct hpcs_launch launch;
	char err[256] = "";

	if (hpcs_launch_parse(copy, size, &launch, err, sizeof(err)) == 0) {
		if (launch.argc < 1 || launch.argc > HPCS_LAUNCH_MAX_ARGS ||
		    launch.argv[0][0] != '/' || launch.argv[launch.argc] != NULL ||
		    (launch.task_output != NULL && launch.task_output[0] != '/'))
			abort();
		free(launch.argv);
	} else if (err[0] == '\0') {
		abort();
	}
}

static void check_one(const uint8_t *data, size_t size)
{
	struct hpcs_reply reply;
	struct hpcs_fields fields;
	char err[256];
	char *copy;
	uint32_t len;

	if (size >= 4)
		(void)hpcs_frame_length(data, HPCS_MAX_FRAME, &len);
	copy = malloc(size + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	if (hpcs_reply_parse(copy, size, &reply, err, sizeof(err)) == 0) {
		if (reply.status == HPCS_STATUS_ERROR && reply.message[0] == '\0')
			abort();
		if (reply.launch[0] != '\0' &&
		    (reply.status != HPCS_STATUS_OK || reply.launch[0] != '/'))
			abort();
	} else if (err[0] == '\0') {
		abort();	/* every rejection names its reason */
	}
	memcpy(copy, data, size);
	if (hpcs_fields_parse(copy, size, &fields, err, sizeof(err)) == 0) {
		size_t i;

		if (fields.count == 0 || fields.count > HPCS_MAX_FIELDS)
			abort();
		for (i = 0; i < fields.count; i++) {
			if (!hpcs_key_valid(fields.items[i].key) ||
			    !hpcs_value_valid(fields.items[i].value, strlen(fields.items[i].value)))
				abort();
		}
	}
	memcpy(copy, data, size);
	check_launch(copy, size);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one(data, size);
	return 0;
}

#ifndef HPCS_LIBFUZZER
static const char *seeds[] = {
	"v=1\nstatus=ok\n",
	"v=1\nstatus=error\nmessage=job 7 is not granted\n",
	"v=1\nstatus=progress\nmessage=mounting\n",
	"v=2\nstatus=ok\n",
	"v=1\nstatus=ok\nstatus=ok\n",
	"v=1\nstatus=ok\nextra=1\n",
	"v=1\nstatus=ok\nlaunch=/run/hpcs/launch/n1/12.0\n",
	"v=1\nstatus=error\nmessage=no\nlaunch=/x\n",
};

/* Launch files contain NUL bytes, so their seeds carry explicit lengths. */
static const struct {
	const char *bytes;
	size_t len;
} launch_seeds[] = {
#define SEED(text) { text, sizeof(text) - 1 }
	SEED("HPCS-LAUNCH-2\0argv\0\0/usr/bin/bwrap\0--unshare-all\0--\0"),
	SEED("HPCS-LAUNCH-2\0args\0/run/hpcs/jobs/7/output/hpcs-step-batch\0/usr/bin/apptainer\0"
	     "exec\0/tmp/hpcs-job-script\0"),
#undef SEED
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
	int rounds = 1 + (int)(next_random() % 8);

	while (rounds-- > 0) {
		size_t pos = len > 0 ? next_random() % len : 0;

		switch (next_random() % 6) {
		case 0:
			if (len > 0)
				buf[pos] ^= (uint8_t)(1u << (next_random() % 8));
			break;
		case 1:
			if (len > 0)
				buf[pos] = (uint8_t)next_random();
			break;
		case 2:
			len = len > 0 ? next_random() % len : 0;	/* truncate */
			break;
		case 3:
			if (len < cap) {				/* insert a byte */
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = "=\n\0v1ok"[next_random() % 7];
				len++;
			}
			break;
		case 4:
			if (len > 0) {					/* delete a byte */
				memmove(buf + pos, buf + pos + 1, len - pos - 1);
				len--;
			}
			break;
		default:
			while (len < cap && next_random() % 4 != 0)	/* append noise */
				buf[len++] = (uint8_t)next_random();
		}
	}
	return len;
}

/* Encode random fields with the encoder and check that the parser returns them unchanged. */
static void round_trip(void)
{
	char keys[8][HPCS_MAX_KEY + 1], values[8][64];
	struct hpcs_fields fields;
	const unsigned char *frame;
	struct hpcs_msg msg;
	size_t frame_len, i, n = next_random() % 8;
	char err[256];
	char *payload;

	if (hpcs_msg_init(&msg, "step_start") < 0)
		abort();
	for (i = 0; i < n; i++) {
		size_t j, klen = 1 + next_random() % 10, vlen = next_random() % 60;

		keys[i][0] = (char)('a' + i);	/* distinct first letters keep keys unique */
		for (j = 1; j < klen; j++)
			keys[i][j] = "abcdefghijklmnopqrstuvwxyz0123456789_"[next_random() % 37];
		keys[i][klen] = '\0';
		for (j = 0; j < vlen; j++)
			values[i][j] = (char)(0x20 + next_random() % 0x5f);
		values[i][vlen] = '\0';
		if (strcmp(keys[i], "v") == 0 || strcmp(keys[i], "op") == 0)
			keys[i][0] = 'x';
		if (hpcs_msg_add(&msg, keys[i], values[i]) < 0)
			abort();
	}
	if (hpcs_msg_frame(&msg, &frame, &frame_len) < 0)
		abort();
	payload = malloc(frame_len - 4);
	if (payload == NULL)
		abort();
	memcpy(payload, frame + 4, frame_len - 4);
	if (hpcs_fields_parse(payload, frame_len - 4, &fields, err, sizeof(err)) < 0) {
		fprintf(stderr, "round trip failed: %s\n", err);
		abort();
	}
	for (i = 0; i < n; i++) {
		const char *got = hpcs_fields_get(&fields, keys[i]);

		if (got == NULL || strcmp(got, values[i]) != 0)
			abort();
	}
	free(payload);
	hpcs_msg_free(&msg);
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? atol(argv[1]) : 200000;
	size_t cap = HPCS_MAX_REPLY + 64;
	uint8_t *buf = malloc(cap);
	long i;

	if (buf == NULL)
		return 1;
	if (argc > 2)
		rng_state = strtoull(argv[2], NULL, 0) | 1;
	for (i = 0; i < iterations; i++) {
		size_t len;

		if (i % 4 == 0) {
			len = next_random() % 256;
			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)next_random();
		} else if (i % 4 == 1) {
			size_t k = next_random() % (sizeof(launch_seeds) / sizeof(launch_seeds[0]));

			len = launch_seeds[k].len;
			memcpy(buf, launch_seeds[k].bytes, len);
			len = mutate(buf, len, cap);
		} else {
			const char *seed = seeds[next_random() % (sizeof(seeds) / sizeof(seeds[0]))];

			len = strlen(seed);
			memcpy(buf, seed, len);
			len = mutate(buf, len, cap);
		}
		check_one(buf, len);
		if (i % 16 == 0)
			round_trip();
	}
	free(buf);
	printf("fuzz_proto: %ld inputs, no crash\n", iterations);
	return 0;
}
#endif
