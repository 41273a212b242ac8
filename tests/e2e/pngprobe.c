/* pngprobe: counts the pixels of a PNG inside a rectangle that match a colour predicate, so the
 * e2e tests can check what the wall drew. It must never modify the image or need a display. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

/* Predicates on 8-bit RGB. */
static int is_red(int r, int g, int b) { return r > 180 && g < 90 && b < 90; }
static int is_green(int r, int g, int b) { return g > 150 && r < 120 && b < 150; }
static int is_amber(int r, int g, int b) { return r > 180 && g >= 90 && g <= 210 && b < 90; }
static int is_nonblack(int r, int g, int b) { return r + g + b > 60; }
static int is_any(int r, int g, int b) { (void)r; (void)g; (void)b; return 1; }

static const struct {
    const char *name;
    int (*fn)(int, int, int);
} predicates[] = {
    {"red", is_red},           /* the LED red: R>180, G<90, B<90 */
    {"green", is_green},
    {"amber", is_amber},
    {"nonblack", is_nonblack},
    {"any", is_any},
};

static int usage(void)
{
    fputs("usage: pngprobe FILE size                 prints \"W H\"\n"
          "       pngprobe FILE diff OTHER           prints the count of pixels whose RGB differ\n"
          "       pngprobe FILE X Y W H PREDICATE    prints the count of matching pixels\n"
          "PREDICATE: red (R>180 G<90 B<90), green, amber, nonblack, any.\n"
          "The rectangle is clipped to the image.\n",
          stderr);
    return 2;
}

static SDL_Surface *load_rgba(const char *path)
{
    SDL_Surface *loaded = IMG_Load(path);
    if (!loaded) {
        fprintf(stderr, "pngprobe: cannot load %s: %s\n", path, IMG_GetError());
        return NULL;
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_FreeSurface(loaded);
    if (!s)
        fprintf(stderr, "pngprobe: cannot convert %s: %s\n", path, SDL_GetError());
    return s;
}

/* Pixels whose RGB differ between two images of the same size (alpha is not compared: a
 * window framebuffer has none). */
static int diff(const char *a_path, const char *b_path)
{
    SDL_Surface *a = load_rgba(a_path), *b = a ? load_rgba(b_path) : NULL;
    int rc = 1;
    if (!a || !b)
        goto done;
    if (a->w != b->w || a->h != b->h) {
        fprintf(stderr, "pngprobe: %s is %dx%d, %s is %dx%d\n", a_path, a->w, a->h, b_path, b->w,
                b->h);
        goto done;
    }
    long count = 0;
    for (int y = 0; y < a->h; y++) {
        const Uint8 *ra = (const Uint8 *)a->pixels + (size_t)y * (size_t)a->pitch;
        const Uint8 *rb = (const Uint8 *)b->pixels + (size_t)y * (size_t)b->pitch;
        for (int x = 0; x < a->w; x++)
            count += memcmp(ra + 4 * x, rb + 4 * x, 3) != 0;
    }
    printf("%ld\n", count);
    rc = 0;
done:
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    return rc;
}

static int parse_int(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < -1000000 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4 && argc != 7)
        return usage();
    if (argc == 3 && strcmp(argv[2], "size"))
        return usage();
    if (argc == 4 && strcmp(argv[2], "diff"))
        return usage();
    if (argc == 4)
        return diff(argv[1], argv[3]);

    SDL_Surface *loaded = IMG_Load(argv[1]);
    if (!loaded) {
        fprintf(stderr, "pngprobe: cannot load %s: %s\n", argv[1], IMG_GetError());
        return 1;
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_FreeSurface(loaded);
    if (!s) {
        fprintf(stderr, "pngprobe: cannot convert %s: %s\n", argv[1], SDL_GetError());
        return 1;
    }
    if (argc == 3) {
        printf("%d %d\n", s->w, s->h);
        SDL_FreeSurface(s);
        return 0;
    }

    int x, y, w, h;
    if (parse_int(argv[2], &x) || parse_int(argv[3], &y) || parse_int(argv[4], &w) ||
        parse_int(argv[5], &h)) {
        SDL_FreeSurface(s);
        return usage();
    }
    int (*pred)(int, int, int) = NULL;
    for (size_t i = 0; i < sizeof predicates / sizeof predicates[0]; i++)
        if (!strcmp(argv[6], predicates[i].name))
            pred = predicates[i].fn;
    if (!pred) {
        fprintf(stderr, "pngprobe: unknown predicate \"%s\"\n", argv[6]);
        SDL_FreeSurface(s);
        return usage();
    }

    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > s->w ? s->w : x + w, y1 = y + h > s->h ? s->h : y + h;
    long count = 0;
    if (SDL_LockSurface(s) == 0) {
        for (int yy = y0; yy < y1; yy++) {
            const Uint8 *row = (const Uint8 *)s->pixels + (size_t)yy * (size_t)s->pitch;
            for (int xx = x0; xx < x1; xx++) {
                const Uint8 *p = row + (size_t)xx * 4; /* RGBA32: bytes R, G, B, A */
                if (pred(p[0], p[1], p[2]))
                    count++;
            }
        }
        SDL_UnlockSurface(s);
    }
    printf("%ld\n", count);
    SDL_FreeSurface(s);
    return 0;
}
